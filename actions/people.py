"""HRM questions about the employee themself: their profile (department, title, manager, hire
date, employee number, identifiers masked) and their trainings (required ones still open,
upcoming ones)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from actions.base import HRAction, Query, Reply
from actions.replies import format_date, mask_bank_account, mask_id_card, mask_phone
from actions.when import day_of

TRAINING_STATUS_NAMES: Mapping[str, str] = {"enrolled": "已报名", "completed": "已完成", "absent": "缺席"}


def _masked(profile: Mapping[str, Any], key: str) -> str | None:
    """The identifier as HRM masked it, or masked here when HRM did not (HR staff see them
    in full, but a chat is no place for them either)."""
    value = profile.get(key)
    if not isinstance(value, str) or not value:
        return None
    if key == "bank_account":  # one format for everyone, however HRM masked it: "**** 5661"
        return mask_bank_account(value)
    if profile.get("identifiers_masked") or "*" in value:
        return value
    if key == "phone":
        return mask_phone(value)
    return mask_id_card(value) if key == "id_card" else mask_bank_account(value)


def _person(person: Mapping[str, Any]) -> str:
    """"宋俊杰(客服经理)", or "无" for nobody."""
    if not person.get("name"):
        return "无"
    return f"{person['name']}({person['title']})" if person.get("title") else str(person["name"])


class ActionEmployeeInfo(HRAction):
    """employee_info: the employee's own profile."""

    action_name = "action_employee_info"
    topic = "档案信息"
    answers_about_others = True

    async def answer(self, query: Query) -> Reply:
        profile = await query.hr.hrm.profile(query.subject.employee_id or "me")
        manager = profile.get("manager") or {}
        hired = day_of(profile.get("hire_date"))
        lines = [
            f"· 工号:{profile.get('id')}",
            f"· 部门:{profile.get('department') or '未登记'}",
            f"· 职位:{profile.get('title') or '未登记'}",
            f"· 直属上级:{_person(manager)}",
        ]
        if hired:
            tenure = profile.get("tenure_years")
            lines.append(f"· 入职日期:{format_date(hired, today=None)}"
                         + (f",司龄{tenure}年" if tenure is not None else ""))
        for key, label in (("phone", "手机"), ("id_card", "身份证"), ("bank_account", "工资卡")):
            masked = _masked(profile, key)
            if masked:
                lines.append(f"· {label}:{masked}")
        if profile.get("email"):
            lines.append(f"· 邮箱:{profile['email']}")
        if not query.subject.is_self:
            return Reply(f"{profile.get('name') or query.subject.name}的档案信息:\n" + "\n".join(lines))
        return Reply(f"{profile.get('name') or query.employee.name},您的档案信息:\n" + "\n".join(lines))


def _training_line(record: Mapping[str, Any], today: date) -> str:
    day = day_of(record.get("date"))
    when = format_date(day, today=today) if day else "时间待定"
    status = str(record.get("status"))
    state = TRAINING_STATUS_NAMES.get(status, status)
    if status == "enrolled" and day is not None and day < today:
        state = "未完成"
    required = "必修," if record.get("required") else ""
    return f"· {record.get('title')}({required}{when},{record.get('hours')}学时,{state})"


class ActionTrainingQuery(HRAction):
    """training_query: required trainings not completed, then upcoming ones."""

    action_name = "action_training_query"
    topic = "培训记录"
    answers_about_others = True

    async def answer(self, query: Query) -> Reply:
        who = query.subject.you
        answer = await query.hr.hrm.training_records(employee_id=query.subject.employee_id)
        required: list[Mapping[str, Any]] = answer.get("required_open") or []
        upcoming: list[Mapping[str, Any]] = [
            r for r in answer.get("upcoming") or [] if r.get("id") not in {o.get("id") for o in required}
        ]
        parts = []
        if required:
            parts.append(f"{who}有{len(required)}门必修培训还没完成:\n"
                         + "\n".join(_training_line(r, query.today) for r in required))
        else:
            parts.append(f"{who}的必修培训都已完成。")
        if upcoming:
            parts.append("其他即将开始的培训:\n"
                         + "\n".join(_training_line(r, query.today) for r in upcoming))
        elif not required:
            parts.append("近期没有已报名的培训。")
        return Reply("\n".join(parts))

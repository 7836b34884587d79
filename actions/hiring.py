"""Hiring progress for hiring managers and HR (HRM): each position they hire for with hired /
headcount and candidates by stage, or one candidate's stage when a `person` is named.

HRM answers an empty list to anyone else, and the reply to them is the same whether or not the
position or candidate exists, so nothing about other people's hiring leaks."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from actions.base import HRAction, Query, Reply
from actions.replies import format_date
from actions.when import day_of, entity_values, latest_text

STAGE_ORDER = ("简历筛选", "一面", "二面", "HR面", "offer", "已入职", "已淘汰")
NO_POSITIONS = ("您目前没有负责招聘的岗位,所以查不到招聘进度。"
                "如需了解某个岗位的招聘情况,请联系该岗位的招聘负责人或HR。")
_TITLE_SUFFIX = re.compile(r"(工程师|专员|经理|主管|师|员)$")


def _stages(by_stage: Mapping[str, Any]) -> str:
    ordered = sorted(by_stage.items(), key=lambda kv: (
        STAGE_ORDER.index(kv[0]) if kv[0] in STAGE_ORDER else len(STAGE_ORDER), kv[0]))
    return "、".join(f"{stage}{count}人" for stage, count in ordered if count)


def _position_line(position: Mapping[str, Any]) -> str:
    department = f"({position['department']})" if position.get("department") else ""
    stages = _stages(position.get("candidates_by_stage") or {})
    hired = f"已招{position.get('hired', 0)}/{position.get('headcount', 0)}人"
    return (f"· {position.get('title')}{department}:{hired},"
            f"流程中{position.get('in_process', 0)}人" + (f"({stages})" if stages else ""))


def positions_named(positions: Sequence[Mapping[str, Any]], text: str) -> list[Mapping[str, Any]]:
    """The positions whose title, or its core without 工程师/专员/..., the message mentions."""
    named = []
    for position in positions:
        title = str(position.get("title") or "")
        core = _TITLE_SUFFIX.sub("", title)
        if title and (title in text or (len(core) >= 2 and core in text)):
            named.append(position)
    return named


class ActionRecruitmentProgress(HRAction):
    """recruitment_progress: positions the employee hires for, or one candidate's stage."""

    action_name = "action_recruitment_progress"

    async def answer(self, query: Query) -> Reply:
        people = [str(p).strip() for p in entity_values(query.tracker, "person") if str(p or "").strip()]
        positions: list[Mapping[str, Any]] = (await query.hr.hrm.positions()).get("positions") or []
        if not positions:
            return Reply(NO_POSITIONS)
        if people:
            return await self._candidates(query, people)
        named = positions_named(positions, latest_text(query.tracker))
        shown = named or positions
        return Reply("您负责的招聘岗位进度:\n" + "\n".join(_position_line(p) for p in shown))

    async def _candidates(self, query: Query, names: list[str]) -> Reply:
        lines = []
        for name in names:
            answer = await query.hr.hrm.candidates(name=name)
            found: list[Mapping[str, Any]] = answer.get("candidates") or []
            if not found:
                lines.append(f"· 在您负责的岗位中没有找到候选人{name}。")
            for candidate in found:
                updated = day_of(candidate.get("updated_on"))
                when = f",更新于{format_date(updated, today=query.today)}" if updated else ""
                lines.append(f"· 候选人{candidate.get('name')}({candidate.get('position_title')}):"
                             f"目前在{candidate.get('stage')}阶段{when}。")
        return Reply("\n".join(lines) if len(lines) > 1 else lines[0].removeprefix("· "))

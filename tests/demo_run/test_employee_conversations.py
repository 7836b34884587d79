"""Employees of every kind talk to the running demo over the REST channel — a greeting, then a
few questions and follow-ups in their own words — and every figure the bot answers is the one
company.json holds for that employee, written the way the bot writes figures.

Each conversation is one employee's (the sender id is the employee id); none of them writes, so
the backend stays in company.json's state. Employees: E1001, E1002, E1006, E1007, E1012, E1014,
E1023, E1024, E1038, E1042, E1043, E1050."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pytest
from demo_run_support import (
    LAST_MONTH,
    TODAY,
    Company,
    DemoClient,
    Handbook,
    day_text,
    days,
    found,
    full_years,
    masked_phone,
    money,
    month_text,
    percent,
    unmasked_identifiers,
)

pytestmark = pytest.mark.integration

# The bot's words for the backend's codes (vocabulary, not figures).
LEAVE_NAMES = {"annual": "年假", "sick": "病假", "personal": "事假", "compensatory": "调休",
               "marriage": "婚假", "maternity": "产假", "paternity": "陪产假", "bereavement": "丧假"}
LEAVE_STATUS = {"pending": "审批中", "approved": "已批准", "rejected": "已驳回", "cancelled": "已撤销"}
CLAIM_STATUS = {"submitted": "审批中", "approved": "已批准,待付款", "paid": "已付款", "rejected": "已驳回"}
APPROVAL_STATUS = {"pending": "审批中", "approved": "已通过", "rejected": "已驳回"}
MATERIAL_STATUS = {"pending": "待审批", "issued": "已发放", "rejected": "已驳回"}
PROJECT_STATUS = {"active": "进行中", "closed": "已结项", "planning": "筹备中"}
ABNORMAL = {"late": "迟到", "early_leave": "早退", "missing_punch": "缺卡"}
CORRECTION = {"pending": "(补卡审批中)", "approved": "(已补卡)"}
CLOSED_STAGES = ("已入职", "已淘汰")
SHOWN = 5  # the bot lists the latest five claims, requests, work orders


def line_with(reply: str, *marks: str) -> str:
    """The one line of the reply that contains every mark."""
    lines = [line for line in reply.split("\n") if all(mark in line for mark in marks)]
    assert len(lines) == 1, f"expected one line with {marks} in:\n{reply}"
    return lines[0]


def number(value: Any) -> str:
    value = float(value)
    return str(int(value)) if value == int(value) else f"{value:g}"


# --- what the bot should say, computed from company.json -------------------------------------

def pay_sentence(slip: Mapping[str, Any]) -> str:
    return (f"{month_text(slip['month'])}实发工资 {money(slip['net'])}(应发 {money(slip['gross'])}),"
            f"已于{day_text(slip['paid_on'])}发放。")


def balance_sentence(balance: Mapping[str, Any]) -> str:
    return (f"今年的{LEAVE_NAMES[balance['leave_type']]}剩余{days(balance['remaining'])}"
            f"(共{days(balance['entitled'])},已用{days(balance['used'])})")


def personal_leave_sentence(company: Company, handbook: Handbook, employee_id: str) -> str:
    taken = sum(float(r["days"]) for r in company.rows("leave_requests", employee_id)
                if r["leave_type"] == "personal" and r["status"] in ("pending", "approved")
                and r["start"].startswith(str(TODAY.year)))
    cap = handbook.personal_leave_cap()
    return f"今年的事假已请{days(taken)},全年最多{days(cap)},还可请{days(cap - taken)}"


def assert_balances(reply: str, company: Company, handbook: Handbook, employee_id: str) -> None:
    """Every leave type the employee has days of (none of those without), then personal leave."""
    for balance in company.rows("leave_balances", employee_id):
        sentence = f"今年的{LEAVE_NAMES[balance['leave_type']]}剩余"
        if balance["remaining"] or balance["entitled"]:
            assert balance_sentence(balance) in reply, reply
        else:
            assert sentence not in reply, reply
    assert personal_leave_sentence(company, handbook, employee_id) in reply, reply


def span_text(start: str, end: str) -> str:
    if start == end:
        return day_text(start)
    return f"{day_text(start)}至{day_text(end)}"


def leave_request_line(company: Company, request: Mapping[str, Any]) -> str:
    half = {"morning": "上午", "afternoon": "下午"}.get(str(request.get("half_day")), "")
    status = LEAVE_STATUS[request["status"]]
    if request["status"] == "pending":
        status += f",当前:{request['current_step']}({company.name(request['approver_id'])})"
    return (f"· {span_text(request['start'], request['end'])}{half} "
            f"{LEAVE_NAMES[request['leave_type']]}{days(request['days'])} {status}")


def latest(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (str(r[key]), str(r.get("id"))), reverse=True)[:SHOWN]


def assert_leave_requests(reply: str, company: Company, employee_id: str) -> None:
    requests = latest(company.rows("leave_requests", employee_id), "submitted_at")
    assert requests, f"{employee_id} has no leave requests in company.json"
    for request in requests:
        assert leave_request_line(company, request) in reply, reply


def assert_claims(reply: str, company: Company, employee_id: str) -> None:
    claims = latest(company.rows("reimbursements", employee_id), "submitted_on")
    assert claims
    for claim in claims:
        line = line_with(reply, f"· {claim['id']} ")
        assert f" {money(claim['amount'])}," in line, line
        assert f"{day_text(claim['submitted_on'])}提交,{CLAIM_STATUS[claim['status']]}" in line, line


def assert_approvals(reply: str, company: Company, employee_id: str) -> None:
    approvals = latest(company.rows("oa_approvals", employee_id), "submitted_on")
    assert approvals
    for approval in approvals:
        line = line_with(reply, f"· {approval['id']} ")
        assert f"{day_text(approval['submitted_on'])}提交,{APPROVAL_STATUS[approval['status']]}" in line, line


def meetings_between(company: Company, employee_id: str, start: date, end: date) -> list[dict[str, Any]]:
    meetings = [m for m in company.data["meetings"]
                if (m["organizer_id"] == employee_id or employee_id in m["attendee_ids"])
                and start <= datetime.fromisoformat(m["start"]).date() <= end]
    return sorted(meetings, key=lambda m: str(m["start"]))


def meeting_line(company: Company, meeting: Mapping[str, Any], *, with_day: bool) -> str:
    start, end = datetime.fromisoformat(meeting["start"]), datetime.fromisoformat(meeting["end"])
    room = next(r["name"] for r in company.data["meeting_rooms"] if r["id"] == meeting["room_id"])
    day = f"{day_text(start.date())} " if with_day else ""
    return (f"· {day}{start:%H:%M}–{end:%H:%M} {meeting['title']}"
            f"({room},{company.name(meeting['organizer_id'])}组织)")


def review_sentence(company: Company, review: Mapping[str, Any]) -> str:
    return (f"您{review['period']}的绩效:{review['score']}分,等级{review['grade']},"
            f"OKR完成度{percent(review['okr_completion'])}。"
            f"{company.name(review['reviewer_id'])}的评语:“{review['feedback']}”。")


def position_line(company: Company, position: Mapping[str, Any]) -> str:
    department = next(d["name"] for d in company.data["departments"] if d["id"] == position["department_id"])
    candidates = [c for c in company.data["candidates"] if c["position_id"] == position["id"]]
    in_process = sum(1 for c in candidates if c["stage"] not in CLOSED_STAGES)
    return (f"· {position['title']}({department}):已招{position['hired']}/{position['headcount']}人,"
            f"流程中{in_process}人")


def assert_positions(reply: str, company: Company, manager_id: str) -> None:
    positions = [p for p in company.data["positions"] if p["hiring_manager_id"] == manager_id]
    assert positions
    for position in positions:
        line = line_with(reply, position_line(company, position))
        stages = Counter(c["stage"] for c in company.data["candidates"] if c["position_id"] == position["id"])
        for stage, count in stages.items():
            assert f"{stage}{count}人" in line, line


def open_candidate(company: Company, manager_id: str) -> dict[str, Any]:
    """A candidate still in the process for one of the manager's positions."""
    positions = {p["id"]: p for p in company.data["positions"] if p["hiring_manager_id"] == manager_id}
    return next(c for c in sorted(company.data["candidates"], key=lambda c: str(c["id"]))
                if c["position_id"] in positions and c["stage"] not in CLOSED_STAGES)


def candidate_sentence(company: Company, candidate: Mapping[str, Any]) -> str:
    title = next(p["title"] for p in company.data["positions"] if p["id"] == candidate["position_id"])
    return (f"候选人{candidate['name']}({title}):目前在{candidate['stage']}阶段,"
            f"更新于{day_text(candidate['updated_on'])}。")


def attendance_of(company: Company, employee_id: str, month: str) -> list[dict[str, Any]]:
    rows = [r for r in company.rows("attendance", employee_id) if r["date"].startswith(month)]
    return sorted(rows, key=lambda r: str(r["date"]))


def assert_attendance(reply: str, company: Company, handbook: Handbook, employee_id: str,
                      month: str) -> None:
    """The month's counts, overtime and late fee (handbook 3.2), and each abnormal day with its
    punches and any correction under way."""
    rows = attendance_of(company, employee_id, month)
    assert rows, f"{employee_id} has no attendance in {month}"
    counts = Counter(r["status"] for r in rows)
    late_minutes = sum(int(r["late_minutes"] or 0) for r in rows)
    late = f"迟到{counts['late']}次" + (f"(共{late_minutes}分钟)" if late_minutes else "")
    overtime = number(round(sum(float(r["overtime_hours"] or 0) for r in rows), 2))
    assert f"您{month_text(month, TODAY)}的考勤:{late},缺卡{counts['missing_punch']}次," \
           f"早退{counts['early_leave']}次" in reply, reply
    assert f"加班{overtime}小时" in reply, reply
    if counts["late"]:
        assert f"迟到扣款 {money(handbook.late_fee(counts['late']))}" in reply, reply
    corrections = {c["date"]: c["status"] for c in company.rows("attendance_corrections", employee_id)
                   if c["status"] in CORRECTION}
    for row in (r for r in rows if r["status"] in ABNORMAL):
        line = line_with(reply, day_text(row["date"], padded=True))
        what = ABNORMAL[row["status"]] + (f"{row['late_minutes']}分钟" if row["status"] == "late" else "")
        assert what + CORRECTION.get(corrections.get(row["date"], ""), "") in line, line
        assert (row["check_in"] or "--:--") in line, line
    if not any(r["status"] in ABNORMAL for r in rows):
        assert "没有异常打卡" in reply, reply


def assert_projects(reply: str, company: Company, employee_id: str) -> None:
    assignments = company.rows("project_assignments", employee_id)
    projects = {p["id"]: p for p in company.data["projects"]}
    hours = number(sum(float(a["hours_this_week"]) for a in assignments))
    tasks = sum(int(a["open_tasks"]) for a in assignments)
    assert f"您参与了{len(assignments)}个项目,本周共{hours}小时,待办任务{tasks}个" in reply, reply
    for item in assignments:
        project = projects[item["project_id"]]
        assert (f"· {project['name']}({PROJECT_STATUS[project['status']]}):{item['role']},"
                f"本周{number(item['hours_this_week'])}小时,待办任务{item['open_tasks']}个") in reply, reply


# --- the conversations -----------------------------------------------------------------------

def test_a_payroll_specialist_asks_last_months_pay_then_september_then_the_tax(
        demo: DemoClient, company: Company) -> None:
    me = "E1002"
    assert company.has_role(me, "hr_agent")
    assert demo.say("你好", me).startswith("您好")
    assert pay_sentence(company.payslip(me, LAST_MONTH)) in demo.say("我上个月工资到手多少?", me)
    september = company.payslip(me, "2026-09")
    assert pay_sentence(september) in demo.say("那9月呢?", me), demo.recent(me)
    taxes = demo.say("扣了多少税?", me)
    assert pay_sentence(september) in taxes, taxes
    assert line_with(taxes, "个人所得税").endswith(f"-{money(september['income_tax'])}"), taxes
    assert line_with(taxes, "个人社保").endswith(f"-{money(september['social_insurance'])}"), taxes
    assert balance_sentence(company.balance(me, "annual")) in demo.say("年假还剩几天", me)


def test_the_hr_director_asks_about_her_own_profile_performance_and_work_orders(
        demo: DemoClient, company: Company) -> None:
    me = "E1001"
    person = company.employee(me)
    assert company.has_role(me, "hr_admin") and person["manager_id"] is None
    assert demo.say("您好", me).startswith("您好")
    assert "· 直属上级:无" in demo.say("我的直属领导是谁", me)
    profile = demo.say("我是哪天入职的", me)
    hired = date.fromisoformat(person["hire_date"])
    assert f"· 入职日期:{day_text(hired, None)},司龄{full_years(hired)}年" in profile, profile
    # HR sees identifiers unmasked in HRM, but a chat shows them masked (handbook 8.1)
    assert not found(profile, unmasked_identifiers(company, me)), profile
    assert f"· 手机:{masked_phone(person['phone'])}" in profile, profile
    assert line_with(profile, "· 工资卡:").endswith(f"**** {person['bank_account'][-4:]}"), profile
    reviews = sorted(company.rows("performance_reviews", me), key=lambda r: str(r["period"]))
    previous, last = reviews[-2], reviews[-1]
    performance = demo.say("我上季度绩效怎么样", me)
    assert review_sentence(company, last) in performance, performance
    assert f"上一期{previous['period']}:{previous['score']}分,等级{previous['grade']}。" in performance
    assert_approvals(demo.say("我的用章申请审批了吗", me), company, me)


def test_an_hrbp_reads_a_september_payslip_and_its_social_insurance(
        demo: DemoClient, company: Company) -> None:
    me = "E1006"
    assert company.has_role(me, "hr_agent")
    assert demo.say("你好", me).startswith("您好")
    september = company.payslip(me, "2026-09")
    payslip = demo.say("9月份工资条发我看看", me)
    assert pay_sentence(september) in payslip, payslip
    assert line_with(payslip, "个人住房公积金").endswith(f"-{money(september['housing_fund'])}"), payslip
    assert line_with(payslip, "· 实发工资").endswith(money(september["net"])), payslip
    social, housing = september["social_insurance"], september["housing_fund"]
    contributions = demo.say("那社保交了多少", me)
    assert (f"根据您{month_text('2026-09')}的工资条,个人缴纳社保 {money(social)}、"
            f"住房公积金 {money(housing)},合计 {money(social + housing)}") in contributions, demo.recent(me)
    assert_leave_requests(demo.say("我的请假批了没", me), company, me)


def test_the_customer_service_manager_follows_hiring_and_his_claims(
        demo: DemoClient, company: Company) -> None:
    me = "E1007"
    assert company.has_role(me, "manager")
    assert demo.say("在吗", me).startswith("您好")
    assert_positions(demo.say("我负责的岗位招聘进度怎么样", me), company, me)
    candidate = open_candidate(company, me)
    assert candidate_sentence(company, candidate) in demo.say(f"候选人{candidate['name']}面试到哪一轮了", me)
    assert_claims(demo.say("我的报销到哪一步了", me), company, me)
    assert demo.say("谢谢", me)


def test_the_technology_director_checks_hiring_next_weeks_meetings_and_his_leave(
        demo: DemoClient, company: Company) -> None:
    me = "E1023"
    assert company.has_role(me, "manager")
    assert demo.say("你好", me).startswith("您好")
    assert_positions(demo.say("前端开发工程师招得怎么样了", me), company, me)
    monday = date(2026, 11, 23)
    meetings = meetings_between(company, me, monday, date(2026, 11, 29))
    reply = demo.say("下周有什么会", me)
    assert f"您{day_text(monday)}至{day_text('2026-11-29')}有{len(meetings)}个会议" in reply, reply
    for meeting in meetings:
        assert meeting_line(company, meeting, with_day=True) in reply, reply
    assert_leave_requests(demo.say("我的请假批了没", me), company, me)


def test_the_operations_manager_asks_about_a_candidate_her_opening_and_her_leave(
        demo: DemoClient, company: Company, handbook: Handbook) -> None:
    me = "E1042"
    assert company.has_role(me, "manager")
    assert demo.say("你好", me).startswith("您好")
    candidate = open_candidate(company, me)
    assert candidate_sentence(company, candidate) in demo.say(f"候选人{candidate['name']}到哪一步了", me)
    assert_positions(demo.say("数据分析师岗位招到人了吗", me), company, me)
    balances = demo.say("我的假期余额", me)
    assert_balances(balances, company, handbook, me)


def test_a_customer_service_lead_checks_attendance_month_by_month_then_the_housing_fund(
        demo: DemoClient, company: Company, handbook: Handbook) -> None:
    me = "E1014"
    assert company.employee(me)["title"] == "客服主管"
    assert demo.say("早上好", me).startswith("您好")
    assert_attendance(demo.say("10月考勤有没有异常", me), company, handbook, me, "2026-10")
    assert_attendance(demo.say("那11月呢", me), company, handbook, me, "2026-11")
    # a new question without a month: the latest payslip, not the month of the attendance follow-up
    october = company.payslip(me, LAST_MONTH)
    reply = demo.say("我的公积金每月交多少", me)
    assert (f"根据您{month_text(LAST_MONTH)}的工资条,个人缴纳社保 {money(october['social_insurance'])}、"
            f"住房公积金 {money(october['housing_fund'])}") in reply, (reply, demo.recent(me))


def test_a_customer_service_agent_asks_supplies_lateness_and_leave(
        demo: DemoClient, company: Company, handbook: Handbook) -> None:
    me = "E1012"
    assert company.employee(me)["title"] == "客服专员"
    assert demo.say("在吗", me).startswith("您好")
    supplies = demo.say("我领过哪些办公用品", me)
    for request in company.rows("material_requests", me):
        assert (f"· {request['id']} {request['item']}×{request['quantity']},"
                f"{day_text(request['requested_on'])}申请,{MATERIAL_STATUS[request['status']]}") in supplies
    assert_attendance(demo.say("我这个月迟到了几次", me), company, handbook, me, "2026-11")
    assert_attendance(demo.say("10月的呢", me), company, handbook, me, "2026-10")
    assert_leave_requests(demo.say("我的请假批了没", me), company, me)


def test_an_engineer_asks_claims_required_trainings_and_projects(
        demo: DemoClient, company: Company) -> None:
    me = "E1024"
    assert company.employee(me)["title"] == "高级工程师"
    assert demo.say("你好", me).startswith("您好")
    assert_claims(demo.say("我的报销到账了吗", me), company, me)
    trainings = {t["id"]: t for t in company.data["trainings"]}
    open_required = [(trainings[r["training_id"]], r["status"]) for r in company.rows("training_records", me)
                     if trainings[r["training_id"]]["required"] and r["status"] != "completed"]
    reply = demo.say("我还有哪些必修培训没完成", me)
    assert f"您有{len(open_required)}门必修培训还没完成" in reply, reply
    for training, status in open_required:
        upcoming = training["date"] >= TODAY.isoformat()
        state = {"absent": "缺席", "enrolled": "已报名" if upcoming else "未完成"}
        assert (f"· {training['title']}(必修,{day_text(training['date'])},{training['hours']}学时,"
                f"{state[status]})") in reply, reply
    assert_projects(demo.say("我在哪些项目里", me), company, me)


def test_a_cashier_asks_work_orders_welfare_and_a_leave_rule(
        demo: DemoClient, company: Company, handbook: Handbook) -> None:
    me = "E1038"
    assert company.employee(me)["department"] == "财务部"
    assert demo.say("嗨", me).startswith("您好")
    assert_approvals(demo.say("我的OA工单到哪了", me), company, me)
    welfare = {w["id"]: w for w in company.data["welfare"]}
    reply = demo.say("今年中秋福利领了吗", me)
    for record in company.rows("welfare_records", me):
        item = welfare[record["welfare_id"]]
        state = ("已领取" if record["status"] == "received"
                 else "待发放" if item["date"] > TODAY.isoformat() else "未领取,请联系HR")
        assert f"· {item['title']} {money(item['amount'])},{day_text(item['date'])},{state}" in reply, reply
    assert handbook.quote("2.5") in demo.say("婚假有几天", me)


def test_an_analyst_looks_up_next_weeks_meetings_her_reviews_and_projects(
        demo: DemoClient, company: Company) -> None:
    me = "E1043"
    assert company.has_role(me, "designer")
    assert demo.say("hi", me).startswith("您好")
    monday, sunday = date(2026, 11, 23), date(2026, 11, 29)
    meetings = meetings_between(company, me, monday, sunday)
    reply = demo.say("下周我有哪些会", me)
    assert f"有{len(meetings)}个会议" in reply, reply
    for meeting in meetings:
        assert meeting_line(company, meeting, with_day=True) in reply, reply
    reviews = {r["period"]: r for r in company.rows("performance_reviews", me)}
    known = "、".join(sorted(reviews, reverse=True))
    assert f"没有查到您2026Q4的绩效记录。已有的考核期:{known}。" in demo.say("这个季度的绩效出来了吗", me)
    assert review_sentence(company, reviews["2026Q2"]) in demo.say("第二季度呢", me)
    assert_projects(demo.say("我参与了哪些项目", me), company, me)


def test_the_marketing_manager_checks_every_leave_balance_then_a_reimbursement_rule(
        demo: DemoClient, company: Company, handbook: Handbook) -> None:
    me = "E1050"
    assert company.has_role(me, "manager")
    assert demo.say("您好", me).startswith("您好")
    assert_balances(demo.say("我的假期余额", me), company, handbook, me)
    compensatory = company.balance(me, "compensatory")
    assert balance_sentence(compensatory) in demo.say("调休呢", me), demo.recent(me)
    assert handbook.quote("5.2") in demo.say("打车报销有上限吗", me)
    assert demo.say("谢谢", me)

"""action_employee_info, action_training_query, action_recruitment_progress and
action_performance_query against the demo backend, expectations from company.json."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from actions.hiring import NO_POSITIONS, ActionRecruitmentProgress
from actions.people import ActionEmployeeInfo, ActionTrainingQuery
from actions.performance import ActionPerformanceQuery, requested_period
from actions.replies import format_date, format_percent
from connector_support import backend_app
from test_query_support import ask, one, reference_day, rows


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with backend_app(tmp_path_factory.mktemp("people") / "b.db") as served:
        yield served


@pytest.mark.parametrize("sender", ["E1008", "E1001"])  # an employee, and HR who sees identifiers unmasked
def test_the_profile_names_department_title_manager_and_hire_date_with_identifiers_masked(
    app: Any, sender: str
) -> None:
    employee = one("employees", id=sender)

    text = ask(app, ActionEmployeeInfo, sender, "我的直属领导是谁").text

    assert employee["department"] in text and employee["title"] in text and sender in text
    assert format_date(date.fromisoformat(employee["hire_date"]), today=None) in text
    if employee["manager_id"]:
        assert one("employees", id=employee["manager_id"])["name"] in text
    for identifier in ("phone", "id_card", "bank_account"):
        assert employee[identifier] not in text
    assert employee["phone"][:3] + "****" + employee["phone"][-4:] in text


def test_trainings_list_the_required_ones_not_completed(app: Any) -> None:
    catalogue = {t["id"]: t for t in rows("trainings")}
    records = rows("training_records", employee_id="E1008")
    open_required = [catalogue[r["training_id"]] for r in records
                     if catalogue[r["training_id"]]["required"] and r["status"] != "completed"]
    completed = [catalogue[r["training_id"]] for r in records if r["status"] == "completed"]
    assert open_required and completed

    text = ask(app, ActionTrainingQuery, "E1008", "我还有哪些必修培训没完成").text

    assert f"{len(open_required)}门必修培训" in text
    assert all(t["title"] in text for t in open_required)
    assert not any(t["title"] in text for t in completed if t["date"] < reference_day().isoformat())


def test_a_hiring_manager_sees_their_positions_with_hired_headcount_and_stages(app: Any) -> None:
    position = one("positions", hiring_manager_id="E1023")
    stages = Counter(c["stage"] for c in rows("candidates", position_id=position["id"]))

    text = ask(app, ActionRecruitmentProgress, "E1023", "招聘进度怎么样了").text

    assert f"{position['title']}" in text and f"已招{position['hired']}/{position['headcount']}人" in text
    assert all(f"{stage}{count}人" in text for stage, count in stages.items())


def test_hr_sees_every_position_and_a_named_position_narrows_the_answer(app: Any) -> None:
    positions = rows("positions")

    everything = ask(app, ActionRecruitmentProgress, "E1001", "招聘进度").text
    narrowed = ask(app, ActionRecruitmentProgress, "E1001", f"{positions[0]['title']}招到人了吗").text

    assert all(p["title"] in everything for p in positions)
    assert positions[0]["title"] in narrowed and positions[1]["title"] not in narrowed


def test_a_named_candidate_is_answered_with_their_stage(app: Any) -> None:
    candidate = next(c for c in rows("candidates")
                     if one("positions", id=c["position_id"])["hiring_manager_id"] == "E1023")

    text = ask(app, ActionRecruitmentProgress, "E1023", f"{candidate['name']}面试到哪一轮了",
               entities={"person": candidate["name"]}).text

    assert candidate["name"] in text and f"目前在{candidate['stage']}阶段" in text


def test_someone_who_hires_for_nothing_learns_nothing_about_positions_or_candidates(app: Any) -> None:
    candidate = rows("candidates")[0]

    about_candidate = ask(app, ActionRecruitmentProgress, "E1008", "候选人面试到哪了",
                          entities={"person": candidate["name"]}).text
    about_positions = ask(app, ActionRecruitmentProgress, "E1008", "招聘进度").text

    assert about_candidate == about_positions == NO_POSITIONS


def test_performance_answers_the_latest_period_with_score_grade_okr_and_feedback(app: Any) -> None:
    reviews = sorted(rows("performance_reviews", employee_id="E1008"), key=lambda r: r["period"])
    latest = reviews[-1]

    text = ask(app, ActionPerformanceQuery, "E1008", "我的绩效怎么样").text

    assert text.startswith(f"您{latest['period']}的绩效:{latest['score']}分,等级{latest['grade']}")
    assert format_percent(latest["okr_completion"]) in text and latest["feedback"] in text
    assert f"上一期{reviews[-2]['period']}" in text


def test_performance_answers_the_quarter_asked_about_or_says_it_has_none(app: Any) -> None:
    first = min(rows("performance_reviews", employee_id="E1008"), key=lambda r: r["period"])

    asked = ask(app, ActionPerformanceQuery, "E1008", f"我{first['period']}的绩效").text
    missing = ask(app, ActionPerformanceQuery, "E1008", "我2025Q1的绩效").text

    assert asked.startswith(f"您{first['period']}的绩效:{first['score']}分")
    assert "没有查到您2025Q1的绩效记录" in missing


def test_quarters_are_read_from_the_message_relative_to_today() -> None:
    today = date(2026, 11, 21)
    assert requested_period("我上季度绩效是多少", None, today) == "2026Q3"
    assert requested_period("第二季度考核", None, today) == "2026Q2"
    assert requested_period("去年Q4", None, today) == "2025Q4"
    assert requested_period("7月的绩效", "2026-07", today) == "2026Q3"
    assert requested_period("我的绩效", None, today) is None

"""Reading Rasa 3.x stories, rules and test stories: the steps as written with their lines,
checkpoints and `or`, every problem reported at once with file:line, and the domain check."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrbot.shared.core.stories import (
    ANY_VALUE,
    ActionStep,
    ActiveLoopStep,
    BotStep,
    CheckpointStep,
    OrStep,
    Rule,
    SlotWasSetStep,
    Story,
    StoryData,
    StoryEntity,
    UserStep,
    check_against_domain,
    read_stories,
    read_story_sections,
    read_test_stories,
)
from hrbot.shared.errors import InvalidProjectError
from hrbot.shared.nlu.training_data import SourceRef
from hrbot.shared.problems import Problem
from hrbot.shared.yaml_reader import parse_yaml_text

STORIES = """\
version: "3.1"
stories:
- story: 请年假
  steps:
  - intent: greet
  - action: utter_greet
  - intent: request_leave
    entities:
    - leave_type: 年假
    - duration
  - action: leave_form
  - active_loop: leave_form
  - slot_was_set:
    - leave_type: 年假
    - requested_slot
  - active_loop: null
  - action: action_submit_leave
  - checkpoint: leave_submitted

- story: 提交后道谢
  steps:
  - checkpoint: leave_submitted
  - or:
    - intent: thank
    - intent: affirm
  - action: utter_you_are_welcome
  - bot: 不客气

- story: 出差的角色
  steps:
  - intent: request_trip
    entities:
    - city: 上海
      role: destination
  - action: utter_trip
"""

RULES = """\
version: "3.1"
rules:
- rule: 打招呼
  conversation_start: true
  steps:
  - intent: greet
  - action: utter_greet

- rule: 请假表单提交
  condition:
  - active_loop: leave_form
  - slot_was_set:
    - leave_type
  steps:
  - action: leave_form
  - active_loop: null
  - action: action_submit_leave
  wait_for_user_input: false
"""

TEST_STORIES = """\
stories:
- story: 直接请年假
  steps:
  - user: |
      我想请[3天](duration)[年假](leave_type)
    intent: request_leave
  - action: leave_form
  - user: |
      我要去[上海]{"entity": "city", "role": "destination"}
    intent: request_trip
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_in(text: str, name: str = "stories.yml") -> list[Problem]:
    _, _, problems = read_story_sections(parse_yaml_text(text, name))
    return problems


def locations(problems: list[Problem]) -> list[str]:
    return [str(problem.location) for problem in problems]


def test_stories_realistic_story_file_parses_into_steps_with_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "data/stories.yml", STORIES)
    file = str(path)

    data = read_stories([path])

    first, second, third = data.stories
    assert (first.name, first.source, first.is_rule) == ("请年假", SourceRef(file, 3), False)
    assert first.steps == (
        UserStep("greet", (), None, SourceRef(file, 5)),
        ActionStep("utter_greet", SourceRef(file, 6)),
        UserStep(
            "request_leave",
            (StoryEntity("leave_type", "年假"), StoryEntity("duration")),
            None,
            SourceRef(file, 7),
        ),
        ActionStep("leave_form", SourceRef(file, 11)),
        ActiveLoopStep("leave_form", SourceRef(file, 12)),
        SlotWasSetStep((("leave_type", "年假"), ("requested_slot", ANY_VALUE)), SourceRef(file, 13)),
        ActiveLoopStep(None, SourceRef(file, 16)),
        ActionStep("action_submit_leave", SourceRef(file, 17)),
        CheckpointStep("leave_submitted", (), SourceRef(file, 18)),
    )
    assert second.steps[-1] == BotStep("不客气", SourceRef(file, 27))
    assert third.steps[0] == UserStep(
        "request_trip", (StoryEntity("city", "上海", role="destination"),), None, SourceRef(file, 31)
    )
    assert data.rules == ()
    assert data.is_test is False


def test_stories_checkpoint_and_or_are_kept_as_written(tmp_path: Path) -> None:
    file = str(write(tmp_path, "stories.yml", STORIES))

    data = read_stories([tmp_path])

    second = data.stories[1]
    assert second.steps[0] == CheckpointStep("leave_submitted", (), SourceRef(file, 22))
    assert second.steps[1] == OrStep(
        (UserStep("thank", (), None, SourceRef(file, 24)),
         UserStep("affirm", (), None, SourceRef(file, 25))),
        SourceRef(file, 23),
    )


def test_stories_or_of_slot_was_set_steps_is_read() -> None:
    text = (
        "stories:\n- story: s\n  steps:\n  - intent: inform\n  - or:\n"
        "    - slot_was_set:\n      - leave_type: 年假\n    - slot_was_set:\n      - leave_type: 病假\n"
        "  - action: utter_ok\n"
    )
    stories, _, problems = read_story_sections(parse_yaml_text(text, "s.yml"))

    assert problems == []
    or_step = stories[0].steps[1]
    assert isinstance(or_step, OrStep)
    assert [alt.slots for alt in or_step.alternatives if isinstance(alt, SlotWasSetStep)] == [
        (("leave_type", "年假"),), (("leave_type", "病假"),)
    ]


def test_stories_rules_have_condition_flags_and_steps(tmp_path: Path) -> None:
    file = str(write(tmp_path, "rules.yml", RULES))

    data = read_stories([tmp_path])

    greet, submit = data.rules
    assert greet == Rule(
        "打招呼", (),
        (UserStep("greet", (), None, SourceRef(file, 6)), ActionStep("utter_greet", SourceRef(file, 7))),
        conversation_start=True, wait_for_user_input=True, source=SourceRef(file, 3),
    )
    assert greet.is_rule
    assert submit.condition == (
        ActiveLoopStep("leave_form", SourceRef(file, 11)),
        SlotWasSetStep((("leave_type", ANY_VALUE),), SourceRef(file, 12)),
    )
    assert [type(step) for step in submit.steps] == [ActionStep, ActiveLoopStep, ActionStep]
    assert (submit.conversation_start, submit.wait_for_user_input) == (False, False)


def test_stories_folder_with_nlu_stories_and_rules_reads_only_stories_and_rules(tmp_path: Path) -> None:
    write(tmp_path, "data/nlu.yml", "nlu:\n- intent: greet\n  examples: |\n    - 你好\n")
    write(tmp_path, "data/stories.yml", STORIES)
    write(tmp_path, "data/rules.yml", RULES)
    write(tmp_path, "data/mixed.yml", "nlu:\n- intent: bye\n  examples: |\n    - 再见\n"
          "stories:\n- story: 再见\n  steps:\n  - intent: bye\n  - action: utter_bye\n")

    data = read_stories([tmp_path / "data"])

    assert {story.name for story in data.stories} == {"请年假", "提交后道谢", "出差的角色", "再见"}
    assert [rule.name for rule in data.rules] == ["打招呼", "请假表单提交"]


def test_stories_a_test_folder_holds_only_its_own_test_files(tmp_path: Path) -> None:
    write(tmp_path, "tests/test_leave.yml", TEST_STORIES)
    write(tmp_path, "tests/helpers.yml", TEST_STORIES.replace("直接请年假", "不是测试文件"))
    nested = tmp_path / "tests" / "fixtures" / "other_project"
    write(nested, "domain.yml", "version: '3.1'\n")
    write(nested, "tests/test_other.yml", TEST_STORIES.replace("直接请年假", "别的项目"))

    data = read_test_stories([tmp_path / "tests"])

    assert "直接请年假" in {story.name for story in data.stories}
    assert not {"不是测试文件", "别的项目"} & {story.name for story in data.stories}


def test_stories_test_stories_parse_annotated_user_text(tmp_path: Path) -> None:
    file = str(write(tmp_path, "tests/test_leave.yml", TEST_STORIES))

    data = read_test_stories([tmp_path / "tests"])

    assert data.is_test is True
    first, _, trip = data.stories[0].steps
    assert first == UserStep(
        "request_leave",
        (StoryEntity("duration", "3天", start=3, end=5),
         StoryEntity("leave_type", "年假", start=5, end=7)),
        "我想请3天年假",
        SourceRef(file, 4),
    )
    assert trip == UserStep(
        "request_trip",
        (StoryEntity("city", "上海", role="destination", start=3, end=5),),
        "我要去上海",
        SourceRef(file, 8),
    )


def test_stories_bad_annotation_in_user_text_names_the_text_line() -> None:
    text = "stories:\n- story: s\n  steps:\n  - user: |\n      我想请[年假(leave_type)\n    intent: x\n"

    problems = problems_in(text, "test_s.yml")

    assert locations(problems) == ["test_s.yml:5"]
    assert "bracket" in problems[0].message


def test_stories_step_without_a_known_key_lists_the_allowed_keys() -> None:
    problems = problems_in("stories:\n- story: s\n  steps:\n  - intnet: greet\n")

    (problem,) = problems
    assert str(problem.location) == "stories.yml:4"
    assert "no known key" in problem.message and "'intnet'" in problem.message
    assert problem.source_line == "  - intnet: greet"
    assert problem.hint is not None
    assert all(key in problem.hint for key in ("intent", "action", "slot_was_set", "checkpoint", "or"))


def test_stories_step_with_intent_and_action_is_a_problem() -> None:
    problems = problems_in("stories:\n- story: s\n  steps:\n  - intent: greet\n    action: utter_greet\n")

    (problem,) = problems
    assert str(problem.location) == "stories.yml:4"
    assert "both 'intent' and 'action'" in problem.message
    assert problem.hint is not None and "split" in problem.hint


@pytest.mark.parametrize(
    ("entities", "line"),
    [
        ("    entities: {leave_type: 年假}\n", 5),
        ("    entities:\n    - leave_type: 年假\n      duration: 3天\n", 6),
        ("    entities:\n    - [leave_type]\n", 6),
        ("    entities:\n    - leave_type: 年假\n      role: [a]\n", 6),
    ],
    ids=["mapping-not-list", "two-entities-in-one-item", "list-item", "role-not-a-name"],
)
def test_stories_malformed_entities_are_a_problem_at_their_line(entities: str, line: int) -> None:
    problems = problems_in(f"stories:\n- story: s\n  steps:\n  - intent: request_leave\n{entities}")

    (problem,) = problems
    assert str(problem.location) == f"stories.yml:{line}"
    assert problem.hint is not None and "- leave_type: 年假" in problem.hint


@pytest.mark.parametrize(
    ("slots", "line"),
    [
        ("  - slot_was_set: leave_type\n", 4),
        ("  - slot_was_set: {leave_type: 年假}\n", 4),
        ("  - slot_was_set: []\n", 4),
        ("  - slot_was_set:\n    - [leave_type]\n", 5),
        ("  - slot_was_set:\n    - {}\n", 5),
    ],
    ids=["scalar", "mapping", "empty", "list-item", "empty-item"],
)
def test_stories_malformed_slot_was_set_is_a_problem_at_its_line(slots: str, line: int) -> None:
    problems = problems_in(f"stories:\n- story: s\n  steps:\n{slots}")

    (problem,) = problems
    assert str(problem.location) == f"stories.yml:{line}"
    assert "slot" in problem.message
    assert problem.hint is not None and "'- leave_type: 年假'" in problem.hint


@pytest.mark.parametrize("steps", ["  steps: []\n", "  steps:\n", ""])
def test_stories_story_without_steps_is_a_problem(steps: str) -> None:
    problems = problems_in(f"stories:\n- story: 空\n{steps}")

    (problem,) = problems
    assert str(problem.location) == "stories.yml:2"
    assert problem.message == "story '空' has no steps"


def test_stories_rule_without_steps_is_a_problem() -> None:
    problems = problems_in(
        "rules:\n- rule: 只有条件\n  condition:\n  - active_loop: leave_form\n", "rules.yml"
    )

    (problem,) = problems
    assert str(problem.location) == "rules.yml:2"
    assert problem.message == "rule '只有条件' has no 'steps:'"


def test_stories_rule_condition_accepts_only_active_loop_and_slot_was_set() -> None:
    problems = problems_in(
        "rules:\n- rule: r\n  condition:\n  - intent: greet\n  steps:\n  - intent: greet\n"
        "  - action: utter_greet\n  - checkpoint: c\n",
        "rules.yml",
    )

    assert locations(problems) == ["rules.yml:4", "rules.yml:8"]
    assert "not allowed in a rule's condition" in problems[0].message
    assert "'checkpoint' steps are not allowed in rules" in problems[1].message


@pytest.mark.parametrize("alternatives", [":\n    - intent: affirm\n", ":\n", ": []\n", ": affirm\n"])
def test_stories_or_with_fewer_than_two_alternatives_is_a_problem(alternatives: str) -> None:
    problems = problems_in(f"stories:\n- story: s\n  steps:\n  - or{alternatives}  - action: utter_ok\n")

    (problem,) = problems
    assert str(problem.location) == "stories.yml:4"
    assert "at least two alternatives" in problem.message


def test_stories_or_with_an_action_is_a_problem() -> None:
    problems = problems_in(
        "stories:\n- story: s\n  steps:\n  - or:\n    - intent: affirm\n    - action: utter_ok\n"
    )

    assert locations(problems) == ["stories.yml:6"]
    assert "not allowed in an 'or'" in problems[0].message


def test_stories_duplicate_story_names_name_both_places(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yml", "stories:\n- story: 打招呼\n  steps:\n  - intent: greet\n")
    b = write(tmp_path, "b.yml", "stories:\n- story: x\n  steps:\n  - intent: greet\n"
              "- story: 打招呼\n  steps:\n  - intent: greet\n")

    with pytest.raises(InvalidProjectError) as caught:
        read_stories([tmp_path])

    (problem,) = caught.value.problems
    assert str(problem.location) == f"{b}:5"
    assert f"{a}:2" in problem.message
    assert problem.source_line == "- story: 打招呼"


def test_stories_story_starting_at_a_checkpoint_nobody_reaches_is_a_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path, "stories.yml",
        "stories:\n- story: a\n  steps:\n  - intent: greet\n  - checkpoint: greeted\n"
        "- story: b\n  steps:\n  - checkpoint: greeted\n  - intent: bye\n"
        "- story: c\n  steps:\n  - checkpoint: greetd\n  - intent: bye\n",
    )

    with pytest.raises(InvalidProjectError) as caught:
        read_stories([path])

    (problem,) = caught.value.problems
    assert str(problem.location) == f"{path}:12"
    assert "checkpoint 'greetd'" in problem.message
    assert problem.hint == "did you mean 'greeted'?"


def test_stories_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path, "data/stories.yml",
        "stories:\n"                                   # 1
        "- story: 坏故事\n"                             # 2
        "  steps:\n"                                   # 3
        "  - intnet: greet\n"                          # 4  no known key
        "  - intent: greet\n"                          # 5
        "    action: utter_greet\n"                    # 6  (two keys, reported at 5)
        "  - slot_was_set: leave_type\n"               # 7  malformed slot_was_set
        "  - or:\n"                                    # 8  one alternative
        "    - intent: affirm\n"                       # 9
        "- story: 空故事\n"                             # 10 no steps
        "- story: 坏故事\n"                             # 11 duplicate name
        "  steps:\n"                                   # 12
        "  - checkpoint: nowhere\n"                    # 13 unreached checkpoint
        "  - intent: request_leave\n"                  # 14
        "    entities: {leave_type: 年假}\n",           # 15 malformed entities
    )
    write(tmp_path, "data/rules.yml", "rules:\n- rule: 没步骤\n  wait_for_user_input: maybe\n")

    with pytest.raises(InvalidProjectError) as caught:
        read_stories([tmp_path / "data"])

    rules = str(tmp_path / "data" / "rules.yml")
    assert sorted(locations(list(caught.value.problems))) == sorted(
        [f"{rules}:3", f"{rules}:2"] + [f"{path}:{line}" for line in (4, 5, 7, 8, 10, 11, 13, 15)]
    )
    assert len(caught.value.problems) == 10
    text = str(caught.value)
    assert text.startswith("10 problems found:")
    assert "fix:" in text


def test_stories_unknown_key_in_a_story_or_rule_item_is_a_problem() -> None:
    problems = problems_in(
        "rules:\n- rule: r\n  stpes:\n  - intent: greet\n  steps:\n  - intent: greet\n"
        "  - action: utter_greet\n",
        "rules.yml",
    )

    assert locations(problems) == ["rules.yml:3"]
    assert problems[0].message == "unknown key 'stpes' in a rule"


def test_stories_invalid_yaml_is_reported_with_the_other_files_problems(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "stories: [\n")
    write(tmp_path, "b.yml", "stories:\n- story: s\n  steps: []\n")

    with pytest.raises(InvalidProjectError) as caught:
        read_stories([tmp_path])

    assert len(caught.value.problems) == 2


def domain_problems(data: StoryData) -> list[Problem]:
    return check_against_domain(
        data,
        intents=["greet", "request_leave", "thank", "affirm", "request_trip"],
        entities=["leave_type", "duration"],
        actions=["leave_form", "action_submit_leave"],
        slots=["leave_type"],
        forms=["leave_form"],
        responses=["utter_greet", "utter_trip"],
    )


def test_stories_check_against_domain_accepts_a_consistent_project(tmp_path: Path) -> None:
    write(tmp_path, "rules.yml", RULES)

    assert domain_problems(read_stories([tmp_path])) == []


def test_stories_check_against_domain_names_every_unknown_name_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "stories.yml",
        "stories:\n- story: s\n  steps:\n"
        "  - intent: greet_typo\n"                             # 4
        "    entities:\n    - city: 北京\n"                     # 5, 6
        "  - action: utter_goodbye\n"                           # 7
        "  - action: action_check_balance\n"                    # 8
        "  - slot_was_set:\n    - balance: 5\n"                 # 9, 10
        "  - active_loop: trip_form\n"                          # 11
        "  - action: action_listen\n"                           # 12 default action: fine
        "  - slot_was_set:\n    - requested_slot: leave_type\n",  # 13 default slot: fine
    )

    problems = domain_problems(read_stories([path]))

    assert [(str(p.location), p.message) for p in problems] == [
        (f"{path}:4", f"intent 'greet_typo' in {path}:4 is not in the domain"),
        (f"{path}:4", f"entity 'city' in {path}:4 is not in the domain"),
        (f"{path}:7", f"response 'utter_goodbye' in {path}:7 has no response in the domain"),
        (f"{path}:8", f"action 'action_check_balance' in {path}:8 is not in the domain"),
        (f"{path}:9", f"slot 'balance' in {path}:9 is not in the domain"),
        (f"{path}:11", f"form 'trip_form' in {path}:11 is not in the domain"),
    ]
    assert problems[0].hint is not None and problems[0].hint.startswith("did you mean 'greet'?")
    assert problems[0].source_line == "  - intent: greet_typo"
    assert problems[3].hint is not None and "action server" in problems[3].hint


def test_stories_check_against_domain_accepts_retrieval_intents_and_forms_as_actions() -> None:
    text = "stories:\n- story: s\n  steps:\n  - intent: faq/年假规定\n  - action: leave_form\n"
    stories, _, problems = read_story_sections(parse_yaml_text(text, "s.yml"))
    assert problems == []

    found = check_against_domain(
        StoryData(tuple(stories)), intents=["faq"], entities=[], actions=[], slots=[],
        forms=["leave_form"],
    )

    assert found == []


def test_stories_story_dataclass_defaults_to_not_a_rule() -> None:
    assert Story("s", ()).is_rule is False

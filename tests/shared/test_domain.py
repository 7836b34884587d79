"""Reading a Rasa 3.x domain: every section, split domains merged, every problem reported at
once with file:line, and the JSON shape Rasa sends to an action server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hrbot.shared.core.domain import (
    DEFAULT_ACTION_NAMES,
    DEFAULT_INTENT_NAMES,
    Button,
    Domain,
    Entity,
    Form,
    Intent,
    MappingCondition,
    ResponseCondition,
    SessionConfig,
    SlotMapping,
    load_domain,
)
from hrbot.shared.errors import InvalidProjectError

DOMAIN = """\
version: "3.1"

intents:
  - greet
  - request_leave:
      use_entities:
        - leave_type
        - date
  - chitchat:
      ignore_entities: [leave_type]
  - affirm
  - faq:
      is_retrieval_intent: true

entities:
  - leave_type
  - date
  - city:
      roles: [departure, destination]
      groups: [1, 2]
  - employee_id:
      influence_conversation: false

slots:
  leave_type:
    type: categorical
    values: [年假, 病假, 事假]
    mappings:
      - type: from_entity
        entity: leave_type
  start_date:
    type: text
    influence_conversation: false
    mappings:
      - type: from_entity
        entity: date
        intent: request_leave
        conditions:
          - active_loop: leave_form
            requested_slot: start_date
  days:
    type: float
    min_value: 0.5
    max_value: 30
    mappings:
      - type: from_text
        not_intent: [chitchat, greet]
  confirmed:
    type: bool
    initial_value: false
    mappings:
      - type: from_intent
        intent: affirm
        value: true
      - type: from_trigger_intent
        intent: request_leave
        value: false
  destinations:
    type: list
    mappings:
      - type: from_entity
        entity: city
        role: destination
        group: "1"
  employee:
    type: any
    influence_conversation: false
    mappings:
      - type: custom
        action: action_fetch_employee

responses:
  utter_greet:
    - text: 你好，{employee}！
    - text: 您好
      channel: wecom
  utter_ask_leave_type:
    - text: 请问您要请什么假？
      buttons:
        - title: 年假
          payload: '/request_leave{"leave_type": "年假"}'
        - title: 病假
          payload: /request_leave
  utter_leave_tip:
    - condition:
        - type: slot
          name: leave_type
          value: 年假
      text: 年假需提前三天申请
    - image: https://example.com/leave.png
    - custom:
        msgtype: markdown
        content: "**请假须知**"

forms:
  leave_form:
    required_slots:
      - leave_type
      - start_date
      - days
    ignored_intents: chitchat

actions:
  - action_fetch_employee
  - action_submit_leave:
      send_domain: true
  - validate_leave_form

session_config:
  session_expiration_time: 30
  carry_over_slots_to_new_session: false
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_problems(path: Path) -> list[str]:
    with pytest.raises(InvalidProjectError) as error:
        load_domain(path)
    return [problem.format() for problem in error.value.problems]


def single_problem(tmp_path: Path, text: str) -> tuple[str, int, str]:
    """(message, line, formatted) of the one problem a domain file gives."""
    path = write(tmp_path, "domain.yml", text)
    with pytest.raises(InvalidProjectError) as error:
        load_domain(path)
    problems = error.value.problems
    assert len(problems) == 1, [problem.format() for problem in problems]
    problem = problems[0]
    assert problem.location is not None
    assert problem.location.file == str(path)
    assert problem.location.line is not None
    assert problem.hint
    return problem.message, problem.location.line, problem.format()


@pytest.fixture
def domain(tmp_path: Path) -> Domain:
    return load_domain(write(tmp_path, "domain.yml", DOMAIN))


def test_domain_reads_intents_as_names_or_mappings(domain: Domain) -> None:
    assert domain.intent_names[:5] == ("greet", "request_leave", "chitchat", "affirm", "faq")


def test_domain_has_rasas_default_intents_without_declaring_them(domain: Domain) -> None:
    assert domain.intent_names[5:] == ("restart", "back", "out_of_scope", "session_start", "nlu_fallback")
    assert domain.intent("greet") == Intent("greet")
    assert domain.intent("request_leave") == Intent("request_leave", ("leave_type", "date"))
    assert domain.intent("chitchat") == Intent("chitchat", True, ("leave_type",))
    faq = domain.intent("faq")
    assert faq is not None and faq.is_retrieval_intent


def test_domain_reads_entities_with_roles_groups_and_influence(domain: Domain) -> None:
    assert domain.entities == (
        Entity("leave_type"),
        Entity("date"),
        Entity("city", ("departure", "destination"), ("1", "2")),
        Entity("employee_id", influence_conversation=False),
    )


def test_domain_reads_every_slot_type_and_mapping(domain: Domain) -> None:
    assert domain.slot_names == ("leave_type", "start_date", "days", "confirmed", "destinations",
                                 "employee")
    leave_type = domain.slot("leave_type")
    assert leave_type is not None
    assert leave_type.type == "categorical"
    assert leave_type.values == ("年假", "病假", "事假")
    assert leave_type.influence_conversation is True
    assert leave_type.mappings == (SlotMapping("from_entity", entity="leave_type"),)

    start_date = domain.slot("start_date")
    assert start_date is not None and start_date.influence_conversation is False
    assert start_date.mappings[0] == SlotMapping(
        "from_entity", entity="date", intent=("request_leave",),
        conditions=(MappingCondition("leave_form", "start_date"),),
    )

    days = domain.slot("days")
    assert days is not None
    assert (days.min_value, days.max_value) == (0.5, 30)
    assert days.mappings == (SlotMapping("from_text", not_intent=("chitchat", "greet")),)

    confirmed = domain.slot("confirmed")
    assert confirmed is not None and confirmed.initial_value is False
    assert [m.type for m in confirmed.mappings] == ["from_intent", "from_trigger_intent"]
    assert confirmed.mappings[0].value is True and confirmed.mappings[0].intent == ("affirm",)

    destinations = domain.slot("destinations")
    assert destinations is not None
    assert destinations.mappings[0] == SlotMapping("from_entity", entity="city", role="destination",
                                                   group="1")

    employee = domain.slot("employee")
    assert employee is not None and employee.type == "any"
    assert employee.mappings == (SlotMapping("custom", action="action_fetch_employee"),)
    assert domain.slot("nope") is None


def test_domain_reads_response_variations_with_templates_buttons_conditions(domain: Domain) -> None:
    greet = domain.response_variations("utter_greet")
    assert [v.text for v in greet] == ["你好，{employee}！", "您好"]
    assert greet[1].channel == "wecom"

    ask = domain.response_variations("utter_ask_leave_type")[0]
    assert ask.buttons == (
        Button("年假", '/request_leave{"leave_type": "年假"}'),
        Button("病假", "/request_leave"),
    )

    tip = domain.response_variations("utter_leave_tip")
    assert tip[0].condition == (ResponseCondition("leave_type", "年假"),)
    assert tip[1].image == "https://example.com/leave.png"
    assert tip[2].custom == {"msgtype": "markdown", "content": "**请假须知**"}
    assert domain.response_variations("utter_missing") == ()


def test_domain_reads_forms_actions_and_session_config(domain: Domain) -> None:
    assert domain.forms == (Form("leave_form", ("leave_type", "start_date", "days"), ("chitchat",)),)
    assert domain.actions == ("action_fetch_employee", "action_submit_leave", "validate_leave_form")
    assert domain.actions_that_send_domain == ("action_submit_leave",)
    assert domain.session_config == SessionConfig(30, False)
    assert domain.version == "3.1"


def test_domain_action_names_are_defaults_then_responses_custom_actions_and_forms(
    domain: Domain,
) -> None:
    names = domain.action_names

    assert names[: len(DEFAULT_ACTION_NAMES)] == DEFAULT_ACTION_NAMES
    assert names[0] == "action_listen" and names[11] == "action_extract_slots"
    assert names[13:] == (
        "utter_greet", "utter_ask_leave_type", "utter_leave_tip",
        "action_fetch_employee", "action_submit_leave", "validate_leave_form",
        "leave_form",
    )
    assert len(set(names)) == len(names)


def test_domain_defaults_for_a_minimal_file(tmp_path: Path) -> None:
    domain = load_domain(write(tmp_path, "domain.yml", "intents: [greet]\n"))

    assert domain.session_config == SessionConfig(60, True)
    assert domain.store_entities_as_slots is True
    assert domain.slots == () and domain.forms == ()
    assert domain.action_names == DEFAULT_ACTION_NAMES


def test_domain_empty_file_is_an_empty_domain(tmp_path: Path) -> None:
    domain = load_domain(write(tmp_path, "domain.yml", ""))
    assert domain == Domain(intents=tuple(Intent(name) for name in DEFAULT_INTENT_NAMES))


def test_domain_split_over_a_folder_is_merged(tmp_path: Path) -> None:
    folder = tmp_path / "domain"
    write(folder, "intents.yml", 'version: "3.1"\nintents:\n  - greet\n  - request_leave\n'
          "entities:\n  - leave_type\n")
    write(folder, "leave/slots.yml", "intents:\n  - greet\nslots:\n  leave_type:\n    type: text\n"
          "    mappings:\n      - type: from_entity\n        entity: leave_type\n"
          "forms:\n  leave_form:\n    required_slots: [leave_type]\n")
    write(folder, "responses.yaml", "responses:\n  utter_greet:\n    - text: 你好\n"
          "actions:\n  - action_submit_leave\n"
          "session_config:\n  session_expiration_time: 15\n")
    write(folder, "nlu.yml", "nlu:\n- intent: greet\n  examples: |\n    - 你好\n")

    domain = load_domain(folder)

    assert domain.intent_names[:2] == ("greet", "request_leave")
    assert domain.entity_names == ("leave_type",)
    assert domain.slot_names == ("leave_type",)
    assert domain.form_names == ("leave_form",)
    assert list(domain.responses) == ["utter_greet"]
    assert domain.actions == ("action_submit_leave",)
    assert domain.session_config.session_expiration_time == 15


def test_domain_split_folder_with_a_name_defined_twice_differently_names_both_places(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "domain"
    first = write(folder, "a.yml", "slots:\n  days:\n    type: float\n")
    second = write(folder, "b.yml",
                   "responses:\n  utter_x:\n    - text: x\nslots:\n  days:\n    type: text\n")

    problems = load_problems(folder)

    assert len(problems) == 1
    assert problems[0].startswith(f"{second}:5: slot 'days' is defined differently")
    assert f"{first}:2" in problems[0]


def test_domain_unknown_top_level_key(tmp_path: Path) -> None:
    message, line, text = single_problem(tmp_path, "intents: [greet]\ntemplates:\n  utter_x: []\n")

    assert line == 2
    assert "unknown top-level key 'templates'" in message
    assert "    templates:" in text and "fix: allowed keys are" in text


def test_domain_slot_without_type(tmp_path: Path) -> None:
    message, line, _ = single_problem(tmp_path, "slots:\n  days:\n    mappings: []\n")

    assert (line, message) == (2, "slot 'days' has no type")


def test_domain_slot_with_unknown_type(tmp_path: Path) -> None:
    message, line, text = single_problem(tmp_path, "slots:\n  days:\n    type: number\n")

    assert line == 3
    assert "unknown type 'number'" in message
    assert "text, bool, categorical, float, list, any" in text


def test_domain_categorical_slot_without_values(tmp_path: Path) -> None:
    message, line, _ = single_problem(tmp_path, "slots:\n  kind:\n    type: categorical\n")

    assert (line, message) == (2, "categorical slot 'kind' has no values")


def test_domain_from_entity_mapping_naming_an_undeclared_entity(tmp_path: Path) -> None:
    text = ("entities: [date]\nslots:\n  kind:\n    type: text\n    mappings:\n"
            "      - type: from_entity\n        entity: leave_typ\n")

    message, line, formatted = single_problem(tmp_path, text)

    assert line == 7
    assert "entity 'leave_typ'" in message
    assert "        entity: leave_typ" in formatted


def test_domain_form_requiring_an_undeclared_slot(tmp_path: Path) -> None:
    text = ("slots:\n  days:\n    type: float\nforms:\n  leave_form:\n    required_slots:\n"
            "      - days\n      - start_date\n")

    message, line, _ = single_problem(tmp_path, text)

    assert line == 8
    assert "form 'leave_form' requires slot 'start_date'" in message


def test_domain_form_in_rasa_2_format_is_rejected_with_a_fix(tmp_path: Path) -> None:
    text = ("slots:\n  days:\n    type: float\nforms:\n  leave_form:\n    required_slots:\n"
            "      days:\n        - type: from_text\n")

    message, line, formatted = single_problem(tmp_path, text)

    assert line == 6
    assert "Rasa 3 format" in message
    assert "mappings" in formatted


def test_domain_response_variation_with_nothing_to_send(tmp_path: Path) -> None:
    text = "responses:\n  utter_x:\n    - text: ok\n    - channel: wecom\n"

    message, line, _ = single_problem(tmp_path, text)

    assert line == 4
    assert "has nothing to send" in message


def test_domain_response_condition_on_an_undeclared_slot(tmp_path: Path) -> None:
    text = ("responses:\n  utter_x:\n    - text: ok\n      condition:\n"
            "        - type: slot\n          name: vip\n          value: true\n")

    message, line, _ = single_problem(tmp_path, text)

    assert line == 6
    assert "condition on slot 'vip'" in message


def test_domain_intent_listed_twice(tmp_path: Path) -> None:
    message, line, _ = single_problem(tmp_path, "intents:\n  - greet\n  - affirm\n  - greet:\n"
                                      "      use_entities: []\n")

    assert line == 4
    assert message == "intent 'greet' is listed twice (first at line 2)"


def test_domain_malformed_yaml(tmp_path: Path) -> None:
    message, line, _ = single_problem(tmp_path, "intents:\n  - greet\n slots: [\n")

    assert message.startswith("invalid YAML")
    assert line == 3


def test_domain_reports_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    text = """\
version: "3.1"
intents:
  - greet
  - greet
entities:
  - date
slots:
  a:
    mappings: []
  b:
    type: integer
  c:
    type: categorical
  d:
    type: text
    mappings:
      - type: from_entity
        entity: nothing
forms:
  f:
    required_slots: [a, zzz]
responses:
  utter_x:
    - channel: wecom
    - text: hi
      condition:
        - type: slot
          name: nope
          value: 1
stories: []
"""
    path = write(tmp_path, "domain.yml", text)

    with pytest.raises(InvalidProjectError) as error:
        load_domain(path)

    lines = sorted(p.location.line for p in error.value.problems if p.location and p.location.line)
    assert len(error.value.problems) == 10
    # slot a (no type) is skipped, so the form's required 'a' is reported too
    assert lines == [4, 8, 11, 12, 18, 21, 21, 24, 28, 30]
    assert str(error.value).startswith("10 problems found:")


def test_domain_problems_of_several_files_are_reported_together(tmp_path: Path) -> None:
    folder = tmp_path / "domain"
    bad_yaml = write(folder, "a.yml", "intents: [greet\n")
    bad_key = write(folder, "b.yml", "intent: [greet]\n")

    problems = load_problems(folder)

    assert len(problems) == 2
    assert problems[0].startswith(str(bad_yaml))
    assert problems[1].startswith(f"{bad_key}:1: unknown top-level key 'intent'")


def test_domain_missing_path(tmp_path: Path) -> None:
    problems = load_problems(tmp_path / "nope.yml")

    assert "does not exist" in problems[0]


def test_domain_to_dict_has_rasas_action_server_shape(domain: Domain) -> None:
    data = domain.to_dict()

    assert set(data) == {"version", "config", "session_config", "intents", "entities", "slots",
                         "responses", "actions", "forms", "e2e_actions"}
    assert data["config"] == {"store_entities_as_slots": True}
    assert data["session_config"] == {"session_expiration_time": 30,
                                      "carry_over_slots_to_new_session": False}
    assert [i for i in data["intents"] if i not in DEFAULT_INTENT_NAMES][:3] == [
        "affirm",
        {"chitchat": {"use_entities": True, "ignore_entities": ["leave_type"]}},
        {"faq": {"use_entities": True, "ignore_entities": [], "is_retrieval_intent": True}},
    ]
    assert {"request_leave": {"use_entities": ["leave_type", "date"], "ignore_entities": []}} in (
        data["intents"]
    )
    assert data["entities"][2] == {"city": {"roles": ["departure", "destination"], "groups": ["1", "2"]}}
    assert data["entities"][3] == {"employee_id": {"influence_conversation": False}}
    assert data["slots"]["leave_type"] == {
        "type": "categorical", "initial_value": None, "influence_conversation": True,
        "values": ["年假", "病假", "事假"],
        "mappings": [{"type": "from_entity", "entity": "leave_type"}],
    }
    assert data["slots"]["days"]["min_value"] == 0.5
    assert data["slots"]["start_date"]["mappings"][0]["conditions"] == [
        {"active_loop": "leave_form", "requested_slot": "start_date"}
    ]
    assert data["slots"]["confirmed"]["mappings"][0] == {"type": "from_intent", "value": True,
                                                         "intent": ["affirm"]}
    assert data["responses"]["utter_ask_leave_type"][0]["buttons"][1] == {
        "title": "病假", "payload": "/request_leave"}
    assert data["responses"]["utter_leave_tip"][0] == {
        "text": "年假需提前三天申请",
        "condition": [{"type": "slot", "name": "leave_type", "value": "年假"}],
    }
    assert data["actions"] == ["action_fetch_employee", {"action_submit_leave": {"send_domain": True}},
                               "validate_leave_form"]
    assert data["forms"] == {"leave_form": {"required_slots": ["leave_type", "start_date", "days"],
                                            "ignored_intents": ["chitchat"]}}
    assert data["e2e_actions"] == []
    json.dumps(data)  # plain JSON values only


def test_domain_values_are_frozen(domain: Domain) -> None:
    with pytest.raises(AttributeError):
        domain.version = "2.0"  # type: ignore[misc]

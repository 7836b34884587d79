"""Rendering domain responses: variations by condition and channel, templates, rich parts."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from hrbot.actions.responses import TemplateResponseGenerator, fill_template
from hrbot.dialogue.trackers import new_tracker
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import SlotSet
from hrbot.shared.core.tracker import DialogueStateTracker

DOMAIN = """\
version: "3.1"
slots:
  vip:
    type: bool
    mappings: [{type: custom}]
  leave_type:
    type: categorical
    values: [annual, sick]
    mappings: [{type: custom}]
  name:
    type: text
    mappings: [{type: custom}]
responses:
  utter_hello:
    - text: 您好
    - text: 您好,VIP
      condition:
        - type: slot
          name: vip
          value: true
    - text: 企业微信您好
      channel: wecom
    - text: 企业微信VIP您好
      channel: wecom
      condition:
        - type: slot
          name: vip
          value: true
  utter_leave:
    - text: 年假余额请看HRM
      condition:
        - type: slot
          name: leave_type
          value: Annual
    - text: 其他假期
  utter_only_dingtalk:
    - text: 钉钉专属
      channel: dingtalk
  utter_rich:
    - text: "{name}, 请选择:"
      buttons:
        - title: "{name}的年假"
          payload: '/leave_balance{{"leave_type": "annual"}}'
      image: "https://hr.example.com/{name}.png"
      custom:
        card: {title: "{name}", items: ["{leave_type}"]}
      attachment: {type: file, url: "https://hr.example.com/{name}.pdf"}
      quick_replies: [{title: "{name}", payload: "/affirm"}]
      elements: [{title: "{name}"}]
  utter_unknown:
    - text: "{leave_type} 的 {nonexistent} 与 {{literal}}"
  utter_many:
    - text: 一
    - text: 二
    - text: 三
"""


def _tracker(domain: Domain, **slots: Any) -> DialogueStateTracker:
    tracker = new_tracker("emp-1", domain)
    for name, value in slots.items():
        tracker.update(SlotSet(timestamp=None, name=name, value=value))
    return tracker


def _text(
    generator: TemplateResponseGenerator, name: str, tracker: DialogueStateTracker, channel: str | None = None
) -> str | None:
    message = generator.generate(name, tracker, channel)
    assert message is not None
    return message.get("text")


def test_a_conditional_variation_wins_over_an_unconditional_one_when_its_slot_matches(
    domain_from_yaml: Callable[[str], Domain],
) -> None:
    domain = domain_from_yaml(DOMAIN)
    generator = TemplateResponseGenerator(domain, random.Random(1))
    assert _text(generator, "utter_hello", _tracker(domain, vip=True)) == "您好,VIP"
    assert _text(generator, "utter_hello", _tracker(domain, vip=False)) == "您好"


def test_string_conditions_compare_case_insensitively(domain_from_yaml: Callable[[str], Domain]) -> None:
    domain = domain_from_yaml(DOMAIN)
    generator = TemplateResponseGenerator(domain)
    assert _text(generator, "utter_leave", _tracker(domain, leave_type="annual")) == "年假余额请看HRM"
    assert _text(generator, "utter_leave", _tracker(domain, leave_type="sick")) == "其他假期"


def test_variations_for_the_current_channel_win_and_conditions_still_count_there(
    domain_from_yaml: Callable[[str], Domain],
) -> None:
    domain = domain_from_yaml(DOMAIN)
    generator = TemplateResponseGenerator(domain)
    assert _text(generator, "utter_hello", _tracker(domain), "wecom") == "企业微信您好"
    assert _text(generator, "utter_hello", _tracker(domain, vip=True), "wecom") == "企业微信VIP您好"
    # as Rasa: an unconditional variation for the channel beats a conditional one without channel
    assert _text(generator, "utter_hello", _tracker(domain, vip=True), "rest") == "您好,VIP"


def test_a_response_only_for_another_channel_renders_nothing(
    domain_from_yaml: Callable[[str], Domain],
) -> None:
    domain = domain_from_yaml(DOMAIN)
    generator = TemplateResponseGenerator(domain)
    assert generator.generate("utter_only_dingtalk", _tracker(domain), "wecom") is None
    assert generator.generate("utter_only_dingtalk", _tracker(domain), None) is None
    assert _text(generator, "utter_only_dingtalk", _tracker(domain), "dingtalk") == "钉钉专属"


def test_an_unknown_response_renders_nothing(domain_from_yaml: Callable[[str], Domain]) -> None:
    domain = domain_from_yaml(DOMAIN)
    assert TemplateResponseGenerator(domain).generate("utter_nope", _tracker(domain), None) is None


def test_slots_fill_every_templated_part_and_elements_stay_as_written(
    domain_from_yaml: Callable[[str], Domain],
) -> None:
    domain = domain_from_yaml(DOMAIN)
    message = TemplateResponseGenerator(domain).generate(
        "utter_rich", _tracker(domain, name="张三", leave_type="annual"), None
    )
    assert message == {
        "text": "张三, 请选择:",
        "buttons": [{"title": "张三的年假", "payload": '/leave_balance{"leave_type": "annual"}'}],
        "image": "https://hr.example.com/张三.png",
        "custom": {"card": {"title": "张三", "items": ["annual"]}},
        "attachment": {"type": "file", "url": "https://hr.example.com/张三.pdf"},
        "quick_replies": [{"title": "张三", "payload": "/affirm"}],
        "elements": [{"title": "{name}"}],
    }


def test_keyword_values_win_over_slots_and_unknown_placeholders_stay(
    domain_from_yaml: Callable[[str], Domain],
) -> None:
    domain = domain_from_yaml(DOMAIN)
    generator = TemplateResponseGenerator(domain)
    message = generator.generate(
        "utter_unknown", _tracker(domain, leave_type="annual"), None, leave_type="sick"
    )
    assert message == {"text": "sick 的 {nonexistent} 与 {literal}"}


def test_a_message_has_only_the_parts_the_variation_has(domain_from_yaml: Callable[[str], Domain]) -> None:
    domain = domain_from_yaml(DOMAIN)
    assert TemplateResponseGenerator(domain).generate("utter_hello", _tracker(domain), None) == {
        "text": "您好"
    }


def test_the_variation_is_picked_with_the_injected_random_generator(
    domain_from_yaml: Callable[[str], Domain],
) -> None:
    domain = domain_from_yaml(DOMAIN)
    tracker = _tracker(domain)
    first = [
        _text(TemplateResponseGenerator(domain, random.Random(3)), "utter_many", tracker) for _ in range(5)
    ]
    again = [
        _text(TemplateResponseGenerator(domain, random.Random(3)), "utter_many", tracker) for _ in range(5)
    ]
    assert first == again
    generator = TemplateResponseGenerator(domain, random.Random(3))
    assert {_text(generator, "utter_many", tracker) for _ in range(60)} == {"一", "二", "三"}


def test_fill_template_leaves_non_strings_alone() -> None:
    assert fill_template({"n": 3, "t": None, "l": ["{a}", 1.5]}, {"a": None}) == {
        "n": 3,
        "t": None,
        "l": ["None", 1.5],
    }

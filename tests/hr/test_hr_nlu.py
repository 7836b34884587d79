"""The HR assistant's NLU, trained on the project's own data, on messages it never saw.

These utterances are deliberately absent from data/: they specify how the trained model
must generalise (intents of the shared contract, entities with normalised values against
the demo reference time), not what it memorised.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hrbot.model.loading import LoadedModel, load_model
from hrbot.model.training import train_nlu
from hrbot.shared.nlu.rasa_yaml import load_nlu_data

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

UNSEEN_INTENTS = [
    ("帮我看看今年年假还能休几天", "leave_balance"),
    ("调休余额还有多少啊", "leave_balance"),
    ("下周二想请一天事假", "request_leave"),
    ("我要请两天病假，发烧了", "request_leave"),
    ("上周提的请假领导批了吗", "leave_status"),
    ("明天的年假我不休了，撤回吧", "cancel_leave"),
    ("十月份工资到手多少", "salary_query"),
    ("这个月工资怎么比上个月少了五百", "salary_dispute"),
    ("公积金公司给我交了多少", "social_insurance_query"),
    ("我这个月迟到了几回", "attendance_query"),
    ("前天下班忘记打卡了，补一下", "attendance_correction"),
    ("报销一下昨天的打车费56块", "reimbursement_submit"),
    ("上次交的差旅报销钱打过来没", "reimbursement_status"),
    ("陪产假一共可以休几天", "policy_question"),
    ("麻烦查一下我入职是哪一年", "employee_info"),
    ("我还有哪些培训课没上", "training_query"),
    ("产品经理这个岗位招得怎么样了", "recruitment_progress"),
    ("端午节的福利发了没有", "welfare_query"),
    ("想申请一台笔记本电脑", "material_request"),
    ("我的用印申请现在谁在审", "approval_status"),
    ("帮我约个明天上午的会议室", "meeting_booking"),
    ("我第三季度的绩效分数出来了吗", "performance_query"),
    ("我手上现在有几个项目", "project_participation"),
    ("哈喽，HR助手在不在", "greet"),
    ("好的谢谢你", "thank"),
    ("行那我先下了，回头见", "goodbye"),
    ("对，就这样提交", "affirm"),
    ("不不不，不是这个意思", "deny"),
    ("帮我转人工客服", "human_handoff"),
    ("你是真人还是机器人", "bot_challenge"),
    ("今晚吃什么好呢", "out_of_scope"),
]


@pytest.fixture(scope="module")
def hr_model(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    models = tmp_path_factory.mktemp("hr-models")
    result = train_nlu(ROOT, models_dir=models, cache_dir=tmp_path_factory.mktemp("cache"))
    return load_model(result.model)


def _entities(model: LoadedModel, text: str) -> dict[str, Any]:
    return {e.entity: e.value for e in model.nlu.parse(text, NOW).entities}


def test_unseen_utterances_are_really_not_in_the_training_data() -> None:
    known = {example.text for example in load_nlu_data([ROOT / "data"]).examples}
    assert not [text for text, _ in UNSEEN_INTENTS if text in known]


@pytest.mark.slow
def test_hr_model_understands_most_unseen_utterances(hr_model: LoadedModel) -> None:
    wrong = []
    for text, intent in UNSEEN_INTENTS:
        ranking = hr_model.nlu.parse(text, NOW).intent_ranking
        predicted = next(item.name for item in ranking if item.name != "nlu_fallback")
        if predicted != intent:
            wrong.append((text, intent, predicted))
    assert len(wrong) <= len(UNSEEN_INTENTS) // 10, wrong


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我想请3天年假从下周一开始",
         {"duration": 3, "leave_type": "annual", "date": "2026-11-23"}),
        ("下周一到周三请年休假", {"date": {"from": "2026-11-23", "to": "2026-11-25"},
                          "leave_type": "annual"}),
        ("上个月工资多少", {"month": "2026-10"}),
        ("报销打车费85元", {"expense_type": "taxi", "amount": 85}),
        ("住宿费两百五", {"expense_type": "accommodation", "amount": 250}),
        ("明天请半天调休", {"date": "2026-11-22", "duration": 0.5, "leave_type": "compensatory"}),
    ],
)
def test_hr_model_extracts_normalised_entities(
    hr_model: LoadedModel, text: str, expected: dict[str, Any]
) -> None:
    found = _entities(hr_model, text)
    assert {key: found.get(key) for key in expected} == expected


@pytest.mark.slow
@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\x00\x01", "啊" * 20_000])
def test_hr_model_answers_any_text_without_crashing(hr_model: LoadedModel, text: str) -> None:
    result = hr_model.nlu.parse(text, NOW).to_dict()
    assert result["text"] == text
    assert set(result) >= {"text", "intent", "intent_ranking", "entities"}


@pytest.mark.slow
def test_hr_model_falls_back_on_messages_with_nothing_it_knows(hr_model: LoadedModel) -> None:
    assert hr_model.nlu.parse("😀😀😀", NOW).intent.name == "nlu_fallback"

"""Annotating employee messages in the console: confirm, correct (intent and entity spans),
out of scope, bulk confirm — written to data/reviewed.yml as Rasa 3 NLU YAML that training
reads, checked against the training data for duplicates, masked for designers, audited."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from console_support import ADMIN, DESIGNER, Browser, Console
from review_support import (
    T0,
    WHOLE_TIME,
    Conversation,
    event_ids,
    listed_senders,
    notice,
    open_project_console,
    problem,
)

from hrbot.console.annotation import AnnotationError, Span, build_example
from hrbot.console.annotation_file import ReviewedExample, ReviewedFile
from hrbot.model.loading import LoadedModel
from hrbot.model.training import read_nlu_inputs
from hrbot.shared.nlu.rasa_yaml import load_nlu_data

CONVERSATION = f"/review/conversations/E1008?{WHOLE_TIME}"


@pytest.fixture
def review(console_model: LoadedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    console = open_project_console(tmp_path, console_model, monkeypatch)
    console.add_account(DESIGNER)
    console.add_account(ADMIN)
    yield console
    console.close()


@pytest.fixture
def designer(review: Console) -> Iterator[Browser]:
    client = review.client()
    client.log_in(DESIGNER)
    yield client
    client.close()


def reviewed_yml(root: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((root / "data" / "reviewed.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def examples_in(root: Path, intent: str) -> list[str]:
    """The annotated texts of `intent` in data/reviewed.yml."""
    found = []
    for item in reviewed_yml(root)["nlu"]:
        if item["intent"] == intent:
            found.extend(example["text"] for example in item["examples"])
    return found


def annotate(browser: Browser, event_id: int, review: str, intent: str = "",
             entities: list[dict[str, object]] | None = None) -> httpx.Response:
    form = {"event_id": str(event_id), "review": review, "intent": intent, "back": CONVERSATION}
    if entities is not None:
        form["entities"] = json.dumps(entities)
    return browser.post("/review/annotate", form)


def test_a_corrected_intent_with_a_selected_entity_is_written_as_rasa_nlu_yaml_that_training_reads(
    review: Console, designer: Browser, tmp_path: Path
) -> None:
    Conversation("E1008").session().user("我上个月的社保怎么还没交", "nlu_fallback", 0.3,
                                          ranking=[("greet", 0.3)]).fallback_action().save(review)
    [event_id] = event_ids(designer.get(CONVERSATION).text)

    saved = annotate(designer, event_id, "correct", "salary_query",
                     [{"start": 1, "end": 4, "entity": "month"}])

    assert saved.status_code == 303
    page = designer.get(saved.headers["location"].removeprefix("/console"))
    assert notice(page.text) == "已写入 data/reviewed.yml,下次训练时生效。"
    assert "已由 叶娟 更正为 <code>salary_query</code>" in page.text
    document = reviewed_yml(tmp_path)
    assert document["version"] == "3.1"
    [item] = document["nlu"]
    assert item["intent"] == "salary_query"
    assert item["examples"][0]["text"] == "我[上个月](month)的社保怎么还没交"
    assert item["examples"][0]["metadata"]["reviewed_by"] == DESIGNER
    assert item["examples"][0]["metadata"]["source_event"] == event_id
    trained_on = read_nlu_inputs(tmp_path).data  # what `hrbot train` reads from data/
    [example] = [e for e in trained_on.examples if e.text == "我上个月的社保怎么还没交"]
    assert example.intent == "salary_query"
    assert [(a.entity, a.start, a.end) for a in example.entities] == [("month", 1, 4)]
    [entry] = [e for e in review.run(review.ctx.audit.entries(limit=10)) if e.action == "review.correct"]
    assert (entry.actor, entry.target) == (DESIGNER, "E1008")
    assert entry.details["event"] == event_id and entry.details["written"] is True


def test_confirm_writes_what_the_nlu_found_and_out_of_scope_its_own_intent(
    review: Console, designer: Browser, tmp_path: Path
) -> None:
    Conversation("E1008").session() \
        .user("帮我看看10月的工资条", "salary_query", 0.5,
              entities=[{"entity": "month", "start": 4, "end": 7, "value": "2026-10", "extractor": "crf"}]) \
        .user("今天天气怎么样", "greet", 0.4).save(review)
    confirm_id, outside_id = event_ids(designer.get(CONVERSATION).text)

    annotate(designer, confirm_id, "confirm")
    annotate(designer, outside_id, "out_of_scope")

    # the normalised value stays out: it would become a synonym of the surface text
    assert examples_in(tmp_path, "salary_query") == ["帮我看看[10月](month)的工资条"]
    assert examples_in(tmp_path, "out_of_scope") == ["今天天气怎么样"]
    assert [e.action for e in review.run(review.ctx.audit.entries(limit=2))] == ["review.out_of_scope",
                                                                                 "review.confirm"]


def test_a_sentence_already_in_the_training_data_is_not_written_twice_and_the_page_says_where(
    review: Console, designer: Browser, tmp_path: Path
) -> None:
    Conversation("E1008").session().user("查工资", "salary_query", 0.5) \
        .user("查 工资!", "salary_query", 0.5).save(review)
    exact_id, near_id = event_ids(designer.get(CONVERSATION).text)

    exact = annotate(designer, exact_id, "confirm")
    near = annotate(designer, near_id, "confirm")

    assert not (tmp_path / "data" / "reviewed.yml").exists()
    assert "notice=duplicate" in exact.headers["location"]
    assert "notice=near_duplicate" in near.headers["location"]
    page = designer.get(CONVERSATION).text
    assert "训练数据中已有完全相同的例句 data/nlu.yml:" in page and "「查工资」(意图 salary_query)" in page
    assert "训练数据中已有几乎相同的例句" in page
    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}").text) == []  # both count as reviewed


def test_a_sentence_under_another_intent_is_refused_so_that_training_keeps_working(
    review: Console, designer: Browser, tmp_path: Path
) -> None:
    Conversation("E1008").session().user("查工资", "salary_query", 0.5).save(review)
    [event_id] = event_ids(designer.get(CONVERSATION).text)

    refused = annotate(designer, event_id, "correct", "greet")

    assert refused.status_code == 409
    assert "data/nlu.yml:" in str(problem(refused.text))
    assert not (tmp_path / "data" / "reviewed.yml").exists()
    assert listed_senders(designer.get(f"/review?{WHOLE_TIME}").text) == ["E1008"]  # still to review
    [entry] = [e for e in review.run(review.ctx.audit.entries(limit=5)) if e.action == "review.correct"]
    assert "refused" in entry.details


def test_bulk_confirm_writes_each_selected_message_once_and_reports_what_it_could_not_confirm(
    review: Console, designer: Browser, tmp_path: Path
) -> None:
    Conversation("E1008").session().user("年假还能休几天呀", "leave_balance", 0.55) \
        .user("年假还能休几天呀", "leave_balance", 0.5) \
        .user("嗯嗯嗯", "nlu_fallback", 0.1, ranking=[("nlu_fallback", 0.1)]).save(review)
    Conversation("E1009").session().user("我想补个打卡记录", "attendance_correction", 0.45).save(review)
    listing = designer.get(f"/review?{WHOLE_TIME}").text
    picked = [int(found) for found in re.findall(r'name="event_(\d+)" value="1">', listing)]
    assert len(picked) == 3  # the message without any intent cannot be picked

    done = designer.post("/review/bulk-confirm", {**{f"event_{n}": "1" for n in picked},
                                                  **{f"event_{n}": "1" for n in event_ids(
                                                      designer.get(CONVERSATION).text)},
                                                  "back": f"/review?{WHOLE_TIME}"})

    page = designer.get(done.headers["location"].removeprefix("/console"))
    assert notice(page.text) == ("批量确认完成:写入 2 条,已在训练数据中 1 条。"
                                 "1 条未能确认(如未识别出意图或与已有例句冲突),请逐条处理。")
    assert examples_in(tmp_path, "leave_balance") == ["年假还能休几天呀"]
    assert examples_in(tmp_path, "attendance_correction") == ["我想补个打卡记录"]
    assert listed_senders(page.text) == ["E1008"]  # only the unconfirmable message is left
    audited = [e.action for e in review.run(review.ctx.audit.entries(limit=10))]
    assert audited.count("review.confirm") == 4


def test_a_designer_writes_the_masked_text_never_the_figures(
    review: Console, designer: Browser, tmp_path: Path
) -> None:
    Conversation("E1008").session().user("我手机13912345678,这个月工资8500元对吗", "greet", 0.3).save(review)
    page = designer.get(CONVERSATION).text
    assert "13912345678" not in page and "8500" not in page
    [event_id] = event_ids(page)

    annotate(designer, event_id, "correct", "salary_query", [])

    [text] = examples_in(tmp_path, "salary_query")
    assert text == "我手机139****5678,这个月工资***元对吗"


def test_an_admin_who_sees_the_figures_writes_them_as_shown(
    review: Console, tmp_path: Path
) -> None:
    Conversation("E1008").session().user("这个月工资8500元对吗", "greet", 0.3).save(review)
    admin = review.client()
    admin.log_in(ADMIN)
    [event_id] = event_ids(admin.get(CONVERSATION).text)

    annotate(admin, event_id, "correct", "salary_query", [])

    assert examples_in(tmp_path, "salary_query") == ["这个月工资8500元对吗"]
    admin.close()


def test_markup_in_a_message_is_shown_as_text_on_the_review_pages(review: Console, designer: Browser) -> None:
    script = '<img src=x onerror="alert(1)"><script>alert(2)</script>工资不对'
    Conversation("E1008").session().user(script, "nlu_fallback", 0.2).save(review)

    for page in (designer.get(f"/review?{WHOLE_TIME}").text, designer.get(CONVERSATION).text):
        assert "<script>alert(2)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(2)&lt;/script&gt;工资不对" in page


def test_brackets_and_line_breaks_become_a_valid_example_with_the_spans_where_they_were(
    tmp_path: Path
) -> None:
    example = build_example(" 请[急]\n明天 请假 ", "request_leave", [Span(6, 8, "date")],
                            intents=["request_leave"], entities=["date"])

    assert example.annotated() == "请［急］ [明天](date) 请假"
    ReviewedFile(tmp_path).append([ReviewedExample(example, DESIGNER, T0, 1, "correct")])
    [loaded] = load_nlu_data([tmp_path / "data"]).examples
    assert loaded.text == "请［急］ 明天 请假"
    assert [(a.entity, loaded.text[a.start:a.end]) for a in loaded.entities] == [("date", "明天")]


@pytest.mark.parametrize("spans, intent, says", [
    ([Span(0, 99, "month")], "salary_query", "超出"),
    ([Span(0, 2, "month"), Span(1, 3, "date")], "salary_query", "重叠"),
    ([Span(0, 2, "salary")], "salary_query", "实体类型"),
    ([Span(2, 3, "month")], "salary_query", "空白"),
    ([], "weather", "不在领域文件"),
])
def test_an_annotation_that_would_not_be_valid_training_data_is_refused(
    spans: list[Span], intent: str, says: str
) -> None:
    with pytest.raises(AnnotationError, match=says):
        build_example("上月 工资", intent, spans, intents=["salary_query"], entities=["month", "date"])


def test_writers_at_the_same_time_lose_no_example_and_hand_edits_are_kept(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "reviewed.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 手工加的例句\n', encoding="utf-8")
    file = ReviewedFile(tmp_path)

    def write(worker: int) -> None:
        for n in range(5):
            example = build_example(f"第{worker}个人的第{n}句", "greet", [], intents=["greet"], entities=[])
            file.append([ReviewedExample(example, f"E{worker}", T0, worker * 10 + n, "correct")])

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    texts = {example.text for example in load_nlu_data([tmp_path / "data"]).examples}
    assert len(texts) == 31 and "手工加的例句" in texts
    assert file.count() == 31
    assert not [path for path in (tmp_path / "data").iterdir() if path.suffix == ".tmp"]

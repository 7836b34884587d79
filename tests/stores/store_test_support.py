"""A small real message processor for store tests: one intent, one response, real actions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hrbot.actions.lookup import ActionResolver
from hrbot.actions.responses import TemplateResponseGenerator
from hrbot.dialogue.prediction import PolicyPrediction
from hrbot.dialogue.processor import ConversationLocks, EventStore, MessageProcessor
from hrbot.shared.core.domain import Domain, load_domain
from hrbot.shared.core.tracker import DialogueStateTracker
from hrbot.shared.nlu.parse_result import IntentPrediction, ParseResult

DOMAIN = 'version: "3.1"\nintents: [greet]\nresponses:\n  utter_greet:\n    - text: "您好"\n'
NOW = datetime.fromisoformat("2026-11-21T10:00:00+08:00")


class GreetOnce:
    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        done = tracker.latest_action_name == "utter_greet"
        return PolicyPrediction("action_listen" if done else "utter_greet", 1.0, "GreetOnce", 1)


class GreetParser:
    def parse(self, text: str, reference_time: datetime) -> ParseResult:
        intent = IntentPrediction("greet", 0.99)
        return ParseResult(text, intent, (intent,))


def greeting_processor(project_dir: Path, store: EventStore, locks: ConversationLocks) -> MessageProcessor:
    """A processor that answers every message with 您好, on the given stores."""
    (project_dir / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    domain = load_domain(project_dir / "domain.yml")
    return MessageProcessor(
        domain=domain, nlu=GreetParser(), policies=GreetOnce(), actions=ActionResolver(domain),
        responses=TemplateResponseGenerator(domain), store=store, locks=locks, clock=lambda: NOW,
    )

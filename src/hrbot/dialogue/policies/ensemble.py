"""The configured policies together: training them and choosing the next action (Rasa 3.x's
`DefaultPolicyPredictionEnsemble`).

The most confident proposal wins; on equal confidence the higher priority (RulePolicy 6,
memoization 3, LinearTEDPolicy 1), and on equal priority the policy listed first. An action the
conversation just rejected (`action_execution_rejected` after the last action) scores 0 in every
policy. Events a policy attaches (RulePolicy's `LoopInterrupted`) go with the prediction
whichever policy wins. When no policy reaches RulePolicy's `core_fallback_threshold`, the core
fallback action is predicted with that confidence. Only actions the domain knows are predicted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hrbot.dialogue.conflicts import with_source_lines
from hrbot.dialogue.policies.base import Policy, Progress
from hrbot.dialogue.policies.registry import POLICY_CLASSES, resolve_policies
from hrbot.dialogue.policies.rule import RulePolicy
from hrbot.dialogue.prediction import PolicyPrediction
from hrbot.dialogue.states import RuleOnlyData
from hrbot.dialogue.story_graph import DEFAULT_AUGMENTATION_FACTOR, TrainingTrackers, generate_trackers
from hrbot.shared.core.domain import Domain
from hrbot.shared.core.events import ACTION_LISTEN_NAME, ActionExecuted, ActionExecutionRejected, Event
from hrbot.shared.core.stories import StoryData
from hrbot.shared.core.tracker import DialogueStateTracker
from hrbot.shared.errors import InvalidProjectError, ModelError
from hrbot.shared.problems import Location, Problem

ENSEMBLE_FILE = "ensemble.json"
ENSEMBLE_NAME = "PolicyEnsemble"


def _quiet(message: str) -> None:
    return None


def rejected_action(tracker: DialogueStateTracker) -> str | None:
    """The action whose execution was rejected since the last action ran, if any."""
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecutionRejected):
            return event.name
        if isinstance(event, ActionExecuted):
            return None
    return None


class PolicyEnsemble:
    """The dialogue policies of a model."""

    def __init__(self, policies: Sequence[Policy], *,
                 augmentation_factor: int = DEFAULT_AUGMENTATION_FACTOR) -> None:
        self.policies = list(policies)
        self.augmentation_factor = augmentation_factor

    @classmethod
    def from_config(
        cls, policies: list[dict[str, Any]] | None, *, source: str = "config.yml"
    ) -> tuple[PolicyEnsemble, list[str]]:
        """The ensemble for config.yml's `policies` (None: Rasa's defaults) and notices."""
        choices, notices = resolve_policies(policies, source=source)
        return cls([choice.build() for choice in choices]), notices

    def config_dict(self) -> dict[str, Any]:
        """The resolved configuration (JSON, deterministic): for model fingerprints."""
        return {
            "policies": [policy.config_dict() for policy in self.policies],
            "augmentation_factor": self.augmentation_factor,
        }

    @property
    def rule_policy(self) -> RulePolicy | None:
        return next((p for p in self.policies if isinstance(p, RulePolicy)), None)

    # training ------------------------------------------------------------------------------

    def train(self, story_data: StoryData, domain: Domain, progress: Progress = _quiet) -> None:
        """Train every policy on the training conversations of the stories and rules."""
        if domain.forms and self.rule_policy is None:
            raise InvalidProjectError([Problem(
                f"the domain has forms ({', '.join(domain.form_names)}) but no policy runs them",
                Location("config.yml"), None,
                "add '- name: RulePolicy' under 'policies:' in config.yml, or remove the forms",
            )])
        if story_data.rules and self.rule_policy is None:
            progress("the rules are not used: no RulePolicy in config.yml (add '- name: RulePolicy')")
        if self.rule_policy is not None and not story_data.rules and not domain.forms:
            progress("RulePolicy has no rules to learn (it still runs Rasa's default rules and the "
                     "core fallback)")
        trackers = self.training_trackers(story_data, domain)
        for notice in trackers.notices:
            progress(notice)
        progress(f"training conversations: {len(trackers.stories)} from stories "
                 f"({sum(t.is_augmented for t in trackers.stories)} augmented), {len(trackers.rules)} "
                 "from rules")
        try:
            for policy in self.policies:
                policy.train(trackers.all, domain, progress)
        except InvalidProjectError as error:
            raise InvalidProjectError(with_source_lines(error.problems, story_data)) from None

    def training_trackers(self, story_data: StoryData, domain: Domain) -> TrainingTrackers:
        return generate_trackers(story_data, domain, augmentation_factor=self.augmentation_factor)

    # prediction ----------------------------------------------------------------------------

    def predict(self, tracker: DialogueStateTracker, domain: Domain) -> PolicyPrediction:
        """The next action for the conversation (see the module docstring)."""
        rule_policy = self.rule_policy
        rule_only: RuleOnlyData | None = None if rule_policy is None else rule_policy.rule_only_data
        known = frozenset(domain.action_names)
        rejected = rejected_action(tracker)
        exclude = frozenset({rejected}) if rejected else frozenset()
        events: list[Event] = []
        best: PolicyPrediction | None = None
        for policy in self.policies:
            scores = policy.scores(tracker, domain, rule_only_data=rule_only)
            events.extend(scores.events)
            action, confidence = scores.best(known, exclude)
            if action is None:
                continue
            if best is None or (confidence, policy.priority) > (best.confidence, best.priority):
                best = PolicyPrediction(action, confidence, policy.name, policy.priority,
                                        hide_rule_turn=scores.hide_rule_turn)
        if rule_policy is not None and rule_policy.fallback_enabled:
            threshold = rule_policy.fallback_threshold
            fallback = rule_policy.fallback_action
            if (best is None or best.confidence < threshold) and fallback not in exclude:
                best = PolicyPrediction(fallback, threshold, rule_policy.name, rule_policy.priority)
        if best is None:
            return PolicyPrediction(ACTION_LISTEN_NAME, 0.0, ENSEMBLE_NAME, 0, tuple(events))
        return PolicyPrediction(best.action, best.confidence, best.policy, best.priority, tuple(events),
                                best.hide_rule_turn)

    # persistence ---------------------------------------------------------------------------

    def persist(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        folders = []
        for index, policy in enumerate(self.policies):
            folder = f"policy_{index}_{policy.name}"
            policy.persist(directory / folder)
            folders.append({"name": policy.name, "folder": folder})
        data = {"policies": folders, "augmentation_factor": self.augmentation_factor}
        (directory / ENSEMBLE_FILE).write_text(json.dumps(data, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> PolicyEnsemble:
        directory = Path(directory)
        path = directory / ENSEMBLE_FILE
        try:
            data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ModelError(
                f"cannot read the dialogue policies at {path} ({error}); train the model again"
            ) from None
        policies: list[Policy] = []
        for entry in data.get("policies", []):
            policy_class = POLICY_CLASSES.get(str(entry.get("name")))
            if policy_class is None:
                raise ModelError(f"{path} names unknown policy '{entry.get('name')}'; train the model again")
            policies.append(policy_class.load(directory / str(entry["folder"])))
        factor = int(data.get("augmentation_factor", DEFAULT_AUGMENTATION_FACTOR))
        return cls(policies, augmentation_factor=factor)


__all__ = ["PolicyEnsemble", "rejected_action"]

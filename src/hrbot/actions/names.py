"""The names Rasa 3.x gives its default actions, slots and intents, in one place.

Stories, rules and custom actions use these names, so they must be spelled exactly as Rasa
spells them. `action_human_handoff` is hrbot's own addition."""

from __future__ import annotations

from hrbot.shared.core.events import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from hrbot.shared.nlu.parse_result import NLU_FALLBACK_INTENT

ACTION_LISTEN = ACTION_LISTEN_NAME
ACTION_SESSION_START = ACTION_SESSION_START_NAME
ACTION_RESTART = "action_restart"
ACTION_DEFAULT_FALLBACK = "action_default_fallback"
ACTION_DEACTIVATE_LOOP = "action_deactivate_loop"
ACTION_REVERT_FALLBACK_EVENTS = "action_revert_fallback_events"
ACTION_DEFAULT_ASK_AFFIRMATION = "action_default_ask_affirmation"
ACTION_DEFAULT_ASK_REPHRASE = "action_default_ask_rephrase"
ACTION_TWO_STAGE_FALLBACK = "action_two_stage_fallback"
ACTION_UNLIKELY_INTENT = "action_unlikely_intent"
ACTION_BACK = "action_back"
ACTION_EXTRACT_SLOTS = "action_extract_slots"
ACTION_VALIDATE_SLOT_MAPPINGS = "action_validate_slot_mappings"
ACTION_HUMAN_HANDOFF = "action_human_handoff"

REQUESTED_SLOT = "requested_slot"
SESSION_START_METADATA_SLOT = "session_started_metadata"
DEFAULT_SLOT_NAMES = (REQUESTED_SLOT, SESSION_START_METADATA_SLOT)

NLU_FALLBACK = NLU_FALLBACK_INTENT
INTENT_OUT_OF_SCOPE = "out_of_scope"
INTENT_DENY = "deny"

UTTER_PREFIX = "utter_"

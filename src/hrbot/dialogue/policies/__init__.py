"""Dialogue policies (Rasa 3.x compatible): RulePolicy, MemoizationPolicy,
AugmentedMemoizationPolicy, hrbot's learned LinearTEDPolicy (config name TEDPolicy), and the
ensemble that trains them and picks the next action.

Import from the submodules (`hrbot.dialogue.policies.ensemble` etc.); this package imports
nothing on its own so that loading it stays cheap."""

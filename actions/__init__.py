"""The HR bot's custom actions (rasa_sdk), served by `hrbot run actions`."""

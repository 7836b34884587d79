"""The DingTalk (钉钉) enterprise robot channel: one-to-one chats run the HR dialogue as the
employee DingTalk names (`senderStaffId`); group @-mentions are invited to a one-to-one chat
(see channel.py for why); answers go out asynchronously through the message's session webhook,
or the robot's one-to-one API once that has expired.

    settings.py   the `dingtalk:` section of credentials.yml
    payload.py    a robot message (HTTP body or stream frame data) -> IncomingMessage, UserMessage
    replies.py    the bot's messages -> text, markdown and action cards (buttons send payloads)
    api.py        session webhook, access token and one-to-one API (async, httpx)
    dedupe.py     each message answered once (in memory per process)
    channel.py    receive (check, classify) and respond (dialogue, group rule, delivery)
    signature.py  the HTTP mode's timestamp and sign check
    routes.py     the HTTP mode's route: POST /webhooks/dingtalk/webhook
    stream.py     the stream mode: the dingtalk-stream SDK on a thread of its own
    engine.py     the server's dialogue as the channel's on_message

Importing this package imports neither the SDK nor Starlette's routes; `stream.py` imports
`dingtalk_stream` only when the stream mode starts.
"""

from hrbot.channels.dingtalk.channel import DingTalkChannel, Handling, OnMessage
from hrbot.channels.dingtalk.settings import (
    DingTalkSettings,
    DingTalkSettingsError,
    dingtalk_settings,
    settings_from_credentials,
)

__all__ = [
    "DingTalkChannel",
    "DingTalkSettings",
    "DingTalkSettingsError",
    "Handling",
    "OnMessage",
    "dingtalk_settings",
    "settings_from_credentials",
]

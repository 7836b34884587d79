"""The WeCom (企业微信) self-built app channel: WeCom posts encrypted callbacks, the bot answers
through WeCom's message API.

    settings.py   the `wecom:` section of credentials.yml
    crypto.py     msg_signature and the AES-256-CBC payload encryption (加解密方案)
    inbound.py    the callback XML: envelope, then the decrypted message or event
    outbound.py   bot messages -> text / markdown / template cards; button keys -> payloads
    api.py        gettoken (cached access token), message/send, update_template_card
    dedup.py      each message processed once across processes (memory or SQL claims)
    dispatch.py   background work, one user's messages in order
    channel.py    the callback route and the work behind it
    wiring.py     the channel on a server's state: `open_wecom_channel`
"""

from hrbot.channels.wecom.channel import ChannelReplies, WeComChannel
from hrbot.channels.wecom.dedup import (
    InMemoryMessageDeduplicator,
    MessageDeduplicator,
    SQLMessageDeduplicator,
)
from hrbot.channels.wecom.settings import WeComSettings
from hrbot.channels.wecom.wiring import open_wecom_channel, wecom_settings

__all__ = [
    "ChannelReplies",
    "InMemoryMessageDeduplicator",
    "MessageDeduplicator",
    "SQLMessageDeduplicator",
    "WeComChannel",
    "WeComSettings",
    "open_wecom_channel",
    "wecom_settings",
]

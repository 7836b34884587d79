"""The signature DingTalk puts on each HTTP-mode callback (robot message receiving in HTTP mode):

    timestamp: 1577262236757                     milliseconds since the epoch
    sign:      base64(HmacSHA256(key=appSecret, message=timestamp + "\\n" + appSecret))

A request is DingTalk's only when the sign matches and the timestamp is within an hour of this
server's clock. The signature covers the timestamp only, not the body: serve the HTTP mode over
HTTPS (or use the stream mode) so that a signed pair cannot be captured and replayed with
another body within the hour.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from hrbot.shared.errors import HrbotError

SIGNATURE_WINDOW_MS = 60 * 60 * 1000
MAX_TIMESTAMP_DIGITS = 16


class SignatureError(HrbotError):
    """A callback that is not provably from DingTalk; the message says which check failed."""


def dingtalk_sign(timestamp: str, secret: str) -> str:
    """The `sign` DingTalk sends with `timestamp` for an app whose secret is `secret`."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(
    timestamp: str | None,
    sign: str | None,
    secret: str,
    *,
    now_ms: int,
    window_ms: int = SIGNATURE_WINDOW_MS,
) -> None:
    """Nothing when the `timestamp` and `sign` headers prove the request is DingTalk's and
    recent; SignatureError naming what is wrong otherwise."""
    if not timestamp:
        raise SignatureError("the 'timestamp' header is missing: DingTalk signs every callback with "
                             "'timestamp' and 'sign' headers, so this request is not from DingTalk")
    if not sign:
        raise SignatureError("the 'sign' header is missing: DingTalk signs every callback with "
                             "'timestamp' and 'sign' headers, so this request is not from DingTalk")
    if not timestamp.isdigit() or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        raise SignatureError(f"the 'timestamp' header {timestamp[:40]!r} is not a time in milliseconds")
    if not hmac.compare_digest(sign.encode("utf-8", "replace"), dingtalk_sign(timestamp, secret).encode()):
        raise SignatureError("the 'sign' header does not match: the callback was not signed with this "
                             "app's secret (check client_secret in credentials.yml)")
    skew_ms = abs(now_ms - int(timestamp))
    if skew_ms > window_ms:
        raise SignatureError(
            f"the 'timestamp' header is {skew_ms / 60000:.0f} minutes away from this server's clock, "
            f"more than the {window_ms // 60000} allowed: a replayed request, or a server clock that "
            "is wrong (check NTP)"
        )

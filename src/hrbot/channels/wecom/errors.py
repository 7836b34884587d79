"""The errors of the WeCom channel.

    HrbotError
    └── WeComError
        ├── WeComSettingsError      the `wecom:` section of credentials.yml is wrong (also ValueError)
        ├── CallbackRejected        a callback that must not be processed; `status` is the HTTP answer
        │   ├── MalformedCallback   400: missing parameters, broken XML, undecryptable payload
        │   ├── InvalidSignature    403: msg_signature does not match (wrong token, or forged)
        │   ├── StaleCallback       403: the timestamp is too far from this server's clock (replay)
        │   ├── WrongReceiver       403: the payload is for another CorpID
        │   └── CallbackTooLarge    413: the body is larger than a WeCom callback ever is
        └── WeComAPIError           the WeCom API answered an error (`errcode`, `errmsg`) or could
                                    not be reached (`errcode` None)

WeCom retries a callback that is not answered with 200, so a rejected callback costs nothing:
the same request fails the same way, and its log line says what is wrong.
"""

from __future__ import annotations

from hrbot.shared.errors import HrbotError


class WeComError(HrbotError):
    """Base of the WeCom channel's errors."""


class WeComSettingsError(WeComError, ValueError):
    """The channel's settings are wrong; the message names the key and how to fix it."""


class CallbackRejected(WeComError):
    """A callback request that is not processed. `status` is the HTTP status it is answered with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedCallback(CallbackRejected):
    """The request is not a WeCom callback this app can read."""

    status = 400


class InvalidSignature(CallbackRejected):
    """`msg_signature` does not match the payload: the token differs from the one in WeCom's admin
    console, or the request was not sent by WeCom."""

    status = 403


class StaleCallback(CallbackRejected):
    """The request's timestamp is too far from this server's clock: a replay, or a wrong clock."""

    status = 403


class WrongReceiver(CallbackRejected):
    """The decrypted payload names another receiver than this app's CorpID."""

    status = 403


class CallbackTooLarge(CallbackRejected):
    """The body is larger than any WeCom callback."""

    status = 413


class WeComAPIError(WeComError):
    """A WeCom API call failed. `call` is the API path (e.g. 'message/send'); `errcode` and
    `errmsg` are WeCom's answer, or None when WeCom could not be reached or answered garbage."""

    def __init__(self, call: str, errcode: int | None, errmsg: str, hint: str = "") -> None:
        code = f"errcode {errcode}: " if errcode is not None else ""
        suffix = f" ({hint})" if hint else ""
        super().__init__(f"WeCom {call} failed: {code}{errmsg}{suffix}")
        self.call = call
        self.errcode = errcode
        self.errmsg = errmsg

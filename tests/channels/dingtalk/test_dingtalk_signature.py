"""The HTTP mode's signature: DingTalk's published example, signatures computed independently
here, the one-hour window and every way a header can be wrong."""

from __future__ import annotations

import pytest
from dingtalk_support import NOW_MS, SECRET, signed

from hrbot.channels.dingtalk.signature import SignatureError, dingtalk_sign, verify_signature

HOUR_MS = 3_600_000


@pytest.mark.parametrize(("secret", "expected"), [
    # DingTalk's documentation example (timestamp 1577262236757) for its two sample secrets
    ("this is a secret", "DJrE6qdyVGCQz9z5r2MDuNcNAhwYnuAkyj13cx169CA="),
    ("this is secret", "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM="),
])
def test_dingtalk_sign_matches_the_published_examples(secret: str, expected: str) -> None:
    assert dingtalk_sign("1577262236757", secret) == expected


@pytest.mark.parametrize("secret", [SECRET, "短密钥", "x" * 200])
def test_dingtalk_sign_matches_an_independent_computation(secret: str) -> None:
    assert dingtalk_sign(str(NOW_MS), secret) == signed(NOW_MS, secret)["sign"]


def test_dingtalk_signature_of_a_fresh_callback_is_accepted() -> None:
    headers = signed(NOW_MS - 5_000)

    verify_signature(headers["timestamp"], headers["sign"], SECRET, now_ms=NOW_MS)


@pytest.mark.parametrize("offset_ms", [HOUR_MS, -HOUR_MS])
def test_dingtalk_signature_exactly_an_hour_off_is_still_accepted(offset_ms: int) -> None:
    headers = signed(NOW_MS + offset_ms)

    verify_signature(headers["timestamp"], headers["sign"], SECRET, now_ms=NOW_MS)


@pytest.mark.parametrize("offset_ms", [HOUR_MS + 1, -(HOUR_MS + 1), -30 * 24 * HOUR_MS])
def test_dingtalk_signature_more_than_an_hour_off_is_refused_as_stale(offset_ms: int) -> None:
    headers = signed(NOW_MS + offset_ms)

    with pytest.raises(SignatureError, match=r"minutes away from this server's clock.*NTP"):
        verify_signature(headers["timestamp"], headers["sign"], SECRET, now_ms=NOW_MS)


def test_dingtalk_signature_with_another_secret_is_refused_naming_the_setting() -> None:
    headers = signed(NOW_MS, secret="someone-elses-secret")

    with pytest.raises(SignatureError, match=r"does not match.*client_secret"):
        verify_signature(headers["timestamp"], headers["sign"], SECRET, now_ms=NOW_MS)


def test_dingtalk_signature_for_another_timestamp_is_refused() -> None:
    sign = signed(NOW_MS)["sign"]

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(str(NOW_MS + 1), sign, SECRET, now_ms=NOW_MS)


@pytest.mark.parametrize(("timestamp", "sign", "message"), [
    (None, "abc", "'timestamp' header is missing"),
    ("", "abc", "'timestamp' header is missing"),
    (str(NOW_MS), None, "'sign' header is missing"),
    ("yesterday", "abc", "not a time in milliseconds"),
    ("-1", "abc", "not a time in milliseconds"),
    ("9" * 40, "abc", "not a time in milliseconds"),
    (str(NOW_MS), "签名", "does not match"),
])
def test_dingtalk_signature_headers_that_are_missing_or_garbled_are_named(
    timestamp: str | None, sign: str | None, message: str
) -> None:
    with pytest.raises(SignatureError, match=message):
        verify_signature(timestamp, sign, SECRET, now_ms=NOW_MS)

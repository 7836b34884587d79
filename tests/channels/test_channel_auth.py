"""HTTP API authentication as Rasa: shared `?token=`, JWT bearer tokens and the conversation
scope of the "user" and "admin" roles."""

from __future__ import annotations

import warnings
from typing import Any

import jwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning

from hrbot.channels.auth import (
    AuthConfig,
    AuthFailure,
    Caller,
    authenticate,
    authorise,
    decode_jwt,
    may_access,
)

NOW = 1_795_000_000.0  # a fixed "now" (2026-11)
SECRET = "jwt-secret-for-tests-only-" + "x" * 40  # long enough for HS512 too
BOTH = AuthConfig(token="shared-token", jwt_secret=SECRET)


def bearer(payload: dict[str, Any], secret: str = SECRET, algorithm: str = "HS256") -> str:
    return "Bearer " + jwt.encode(payload, secret, algorithm=algorithm)


def user(username: str, role: str, **claims: Any) -> dict[str, Any]:
    return {"user": {"username": username, "role": role}, **claims}


def login(config: AuthConfig = BOTH, *, token: str | None = None,
          authorization: str | None = None) -> Caller | AuthFailure:
    return authenticate(config, query_token=token, authorization=authorization, now=NOW)


def test_channel_auth_the_shared_token_gives_full_access() -> None:
    caller = login(token="shared-token")

    assert caller == Caller(kind="token")
    assert isinstance(caller, Caller) and caller.is_admin
    assert may_access(caller, "anyone")


def test_channel_auth_without_token_or_secret_everyone_is_let_in() -> None:
    caller = login(AuthConfig(), token="whatever")

    assert caller == Caller(kind="anonymous")
    assert isinstance(caller, Caller) and may_access(caller, None)


def test_channel_auth_a_valid_jwt_names_the_user_and_role() -> None:
    caller = login(authorization=bearer(user("E001", "user", exp=NOW + 60)))

    assert caller == Caller(kind="jwt", username="E001", role="user")


def test_channel_auth_the_bearer_prefix_is_case_insensitive() -> None:
    caller = login(authorization=bearer(user("hr", "admin")).replace("Bearer", "bearer"))

    assert caller == Caller(kind="jwt", username="hr", role="admin")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({}, "pass the token as '?token=...' or a JWT"),
        ({"token": "wrong"}, "the token is wrong"),
        ({"authorization": bearer(user("E001", "user", exp=NOW - 1))}, "has expired"),
        ({"authorization": bearer(user("E001", "user", exp=NOW))}, "has expired"),
        ({"authorization": bearer(user("E001", "user", nbf=NOW + 60))}, "not valid yet"),
        ({"authorization": bearer(user("E001", "user", exp="tomorrow"))}, "'exp' must be a number"),
        ({"authorization": bearer(user("E001", "admin"), secret="another-secret-" + "y" * 60)},
         "The JWT is not valid"),
        ({"authorization": bearer(user("E001", "admin"), algorithm="HS512")}, "The JWT is not valid"),
        ({"authorization": "Bearer not.a.jwt"}, "The JWT is not valid"),
        ({"authorization": "Basic dXNlcjpwYXNz"}, "User is not authenticated"),
        ({"authorization": "Bearer "}, "User is not authenticated"),
    ],
)
def test_channel_auth_refuses_with_401_and_a_reason(kwargs: dict[str, Any], words: str) -> None:
    failure = login(**kwargs)

    assert isinstance(failure, AuthFailure)
    assert (failure.status, failure.reason) == (401, "NotAuthenticated")
    assert words in failure.message


def test_channel_auth_an_unsigned_jwt_is_refused() -> None:
    unsigned = jwt.encode(user("E001", "admin"), key=None, algorithm="none")

    failure = login(authorization=f"Bearer {unsigned}")

    assert isinstance(failure, AuthFailure) and failure.status == 401


def test_channel_auth_a_jwt_is_refused_when_only_the_token_is_configured() -> None:
    failure = login(AuthConfig(token="shared-token"), authorization=bearer(user("hr", "admin")))

    assert isinstance(failure, AuthFailure) and failure.status == 401


def test_channel_auth_decode_jwt_uses_the_clock_it_is_given() -> None:
    token = jwt.encode(user("E001", "user", exp=NOW + 10), SECRET, algorithm="HS256")

    assert isinstance(decode_jwt(token, BOTH, now=NOW), dict)
    assert isinstance(decode_jwt(token, BOTH, now=NOW + 11), AuthFailure)
    assert isinstance(decode_jwt(token, BOTH, now=NOW + 11, leeway=5), dict)


@pytest.mark.parametrize(
    ("caller", "conversation_id", "allowed"),
    [
        (Caller(kind="jwt", username="E001", role="user"), "E001", True),
        (Caller(kind="jwt", username="E001", role="user"), "E002", False),
        (Caller(kind="jwt", username="E001", role="user"), None, False),
        (Caller(kind="jwt", username="hr", role="admin"), "E002", True),
        (Caller(kind="jwt", username="hr", role="admin"), None, True),
        (Caller(kind="jwt", username="E001", role="guest"), "E001", False),
        (Caller(kind="jwt", username=None, role=None), "E001", False),
        (Caller(kind="token"), "E002", True),
        (Caller(kind="anonymous"), "E002", True),
    ],
)
def test_channel_auth_role_rules_as_rasa(caller: Caller, conversation_id: str | None, allowed: bool) -> None:
    assert may_access(caller, conversation_id) is allowed
    failure = authorise(caller, conversation_id)
    if allowed:
        assert failure is None
    else:
        assert failure is not None
        assert (failure.status, failure.reason) == (403, "NotAuthorized")


def test_channel_auth_a_payload_without_user_is_authenticated_but_may_do_nothing() -> None:
    caller = login(authorization=bearer({"sub": "E001"}))

    assert caller == Caller(kind="jwt", username=None, role=None)
    assert isinstance(caller, Caller) and not may_access(caller, "E001")


def test_channel_auth_a_short_secret_still_works_and_is_reported_once() -> None:
    config = AuthConfig(jwt_secret="secret")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        authorization = bearer(user("hr", "admin"), secret="secret")

    caller = login(config, authorization=authorization)  # warnings are errors in the tests

    assert caller == Caller(kind="jwt", username="hr", role="admin")
    assert config.weak_secret_warning() == (
        "the JWT secret is 6 bytes long; HS256 wants at least 32: use a longer random secret")
    assert AuthConfig(jwt_secret="s" * 32).weak_secret_warning() is None

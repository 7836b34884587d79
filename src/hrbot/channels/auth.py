"""Who is calling the HTTP API, and may they see this conversation — Rasa's rules without the
web framework.

Rasa's server (`rasa run --enable-api --auth-token T --jwt-secret S --jwt-method HS256`) lets a
request in when, in this order:

1. the query string has `?token=T` (the shared token): full access;
2. the `Authorization: Bearer <jwt>` header carries a JWT signed with S: the caller is the
   payload's `user.username` with role `user.role`; role "admin" may use every endpoint, role
   "user" only the endpoints of its own conversation (username == conversation id), any other
   role nothing (403);
3. neither a token nor a JWT secret is configured: everyone has full access.

Anything else is 401 "NotAuthenticated". The time used to check `exp`/`nbf` is passed in.
"""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from jwt.warnings import InsecureKeyLengthWarning

ADMIN_ROLE = "admin"
USER_ROLE = "user"
DEFAULT_JWT_METHOD = "HS256"
BEARER_PREFIX = "bearer "

CallerKind = Literal["anonymous", "token", "jwt"]


@dataclass(frozen=True)
class AuthConfig:
    """The server's authentication settings; with neither set, authentication is off."""

    token: str | None = None
    jwt_secret: str | None = None
    jwt_method: str = DEFAULT_JWT_METHOD

    @property
    def enabled(self) -> bool:
        return bool(self.token) or bool(self.jwt_secret)

    def weak_secret_warning(self) -> str | None:
        """A message to log at start when an HMAC secret is shorter than its hash (RFC 7518
        3.2); such secrets still work, as in Rasa."""
        if not self.jwt_secret or not self.jwt_method.upper().startswith("HS"):
            return None
        digits = self.jwt_method[2:]
        minimum = int(digits) // 8 if digits.isdigit() else 32
        length = len(self.jwt_secret.encode("utf-8"))
        if length >= minimum:
            return None
        return (f"the JWT secret is {length} bytes long; {self.jwt_method} wants at least {minimum}: "
                "use a longer random secret")


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the shared token's holder, a JWT user, or anyone (auth off)."""

    kind: CallerKind
    username: str | None = None
    role: str | None = None

    @property
    def is_admin(self) -> bool:
        """Full access: the shared token, authentication off, or a JWT with role "admin"."""
        return self.kind != "jwt" or self.role == ADMIN_ROLE


@dataclass(frozen=True)
class AuthFailure:
    """Why a request is refused, in the shape of Rasa's error body (`status`, `reason`, `message`)."""

    status: int
    reason: str
    message: str


def not_authenticated(message: str) -> AuthFailure:
    return AuthFailure(401, "NotAuthenticated", message)


def not_authorised(message: str = "User has insufficient permissions.") -> AuthFailure:
    return AuthFailure(403, "NotAuthorized", message)


def _bearer_token(authorization: str | None) -> str | None:
    if not authorization or authorization[: len(BEARER_PREFIX)].lower() != BEARER_PREFIX:
        return None
    token = authorization[len(BEARER_PREFIX):].strip()
    return token or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def decode_jwt(
    token: str, config: AuthConfig, *, now: float, leeway: float = 0.0
) -> dict[str, Any] | AuthFailure:
    """The payload of a JWT signed with the configured secret and method, or why it is refused.
    `exp` and `nbf` are checked against `now` (seconds since the epoch), as PyJWT would."""
    if not config.jwt_secret:
        return not_authenticated("JWT authentication is not enabled on this server.")
    try:
        with warnings.catch_warnings():
            # a short secret is reported once at start (weak_secret_warning), not per request
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            payload = jwt.decode(
                token, config.jwt_secret, algorithms=[config.jwt_method],
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
    except jwt.InvalidTokenError as error:
        return not_authenticated(f"The JWT is not valid: {error}.")
    if not isinstance(payload, dict):
        return not_authenticated("The JWT payload is not a JSON object.")
    for claim in ("exp", "nbf"):
        if claim in payload and _number(payload[claim]) is None:
            return not_authenticated(f"The JWT claim '{claim}' must be a number of seconds since the epoch.")
    expires = _number(payload.get("exp"))
    if expires is not None and expires <= now - leeway:
        return not_authenticated("The JWT has expired; ask for a new one.")
    not_before = _number(payload.get("nbf"))
    if not_before is not None and not_before > now + leeway:
        return not_authenticated("The JWT is not valid yet (its 'nbf' is in the future).")
    return payload


def caller_from_payload(payload: dict[str, Any]) -> Caller:
    """The JWT caller named by Rasa's payload shape `{"user": {"username": ..., "role": ...}}`."""
    user = payload.get("user")
    user = user if isinstance(user, dict) else {}
    username = user.get("username")
    role = user.get("role")
    return Caller(
        kind="jwt",
        username=username if isinstance(username, str) else None,
        role=role if isinstance(role, str) else None,
    )


def authenticate(
    config: AuthConfig, *, query_token: str | None, authorization: str | None, now: float
) -> Caller | AuthFailure:
    """Who makes this request (`?token=` value, `Authorization` header), or why not (401)."""
    if config.token and query_token is not None and secrets.compare_digest(
        query_token.encode("utf-8", "surrogatepass"), config.token.encode("utf-8", "surrogatepass")
    ):
        return Caller(kind="token")
    if config.jwt_secret:
        bearer = _bearer_token(authorization)
        if bearer is not None:
            decoded = decode_jwt(bearer, config, now=now)
            if isinstance(decoded, AuthFailure):
                return decoded
            return caller_from_payload(decoded)
    if not config.enabled:
        return Caller(kind="anonymous")
    if query_token is not None:
        return not_authenticated("User is not authenticated: the token is wrong.")
    return not_authenticated(
        "User is not authenticated: pass the token as '?token=...'"
        + (" or a JWT as 'Authorization: Bearer <jwt>'." if config.jwt_secret else ".")
    )


def may_access(caller: Caller, conversation_id: str | None) -> bool:
    """Rasa's scope rule: admins (and token holders) may access everything; a JWT with role
    "user" only its own conversation (username == conversation id) and nothing that has no
    conversation; any other role nothing."""
    if caller.is_admin:
        return True
    if caller.role == USER_ROLE:
        return conversation_id is not None and caller.username == conversation_id
    return False


def authorise(caller: Caller, conversation_id: str | None) -> AuthFailure | None:
    """None if `caller` may use an endpoint of `conversation_id` (None: not a conversation
    endpoint), else the 403 failure."""
    return None if may_access(caller, conversation_id) else not_authorised()


def sender_from_token(config: AuthConfig, authorization: str | None, *, now: float) -> str | AuthFailure:
    """The user a signed token names (`sub`, else `user.username`), for a channel that does not
    take the body's `sender` at its word; or why the request is refused (401)."""
    bearer = _bearer_token(authorization)
    if bearer is None:
        return not_authenticated(
            "This channel needs 'Authorization: Bearer <jwt>' signed by the server's JWT secret, "
            "with the user's id as its subject ('sub')."
        )
    decoded = decode_jwt(bearer, config, now=now)
    if isinstance(decoded, AuthFailure):
        return decoded
    user = decoded.get("user")
    subject = decoded.get("sub") or (user.get("username") if isinstance(user, dict) else None)
    if not isinstance(subject, str) or not subject:
        return not_authenticated("The JWT names no user: put the user's id in its 'sub' claim.")
    return subject

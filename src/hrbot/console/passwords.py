"""Password hashing with Argon2id (argon2-cffi) and the rules a console password must meet.

There is no default password: an account exists only with a password someone chose, and a
password that is short, the user name, or one of the passwords people pick first is refused
with the reason. Verifying against an account that does not exist still costs one Argon2
computation (`verify_or_waste_time`), so response times do not tell which user names exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hrbot.shared.errors import HrbotError, MissingDependencyError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
_COMMON = frozenset({
    "password", "password1", "password123", "passw0rd", "12345678", "123456789", "1234567890",
    "qwertyuiop", "qwerty123", "11111111", "00000000", "88888888", "66666666", "abc123456",
    "a123456789", "admin123", "admin12345", "administrator", "changeme", "changeme123", "welcome1",
    "iloveyou", "hrbot", "hrbot123", "hrbot12345", "console123", "woaini1314", "1q2w3e4r5t",
})


class WeakPasswordError(HrbotError):
    """A password the console does not accept; the message says why."""


def check_password_rules(password: str, username: str) -> None:
    """WeakPasswordError unless `password` may be used by `username`."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPasswordError(f"密码至少需要 {MIN_PASSWORD_CHARS} 个字符 (a password needs at least "
                                f"{MIN_PASSWORD_CHARS} characters)")
    if len(password) > MAX_PASSWORD_CHARS:
        raise WeakPasswordError(f"密码不能超过 {MAX_PASSWORD_CHARS} 个字符")
    lowered = password.lower()
    name = username.lower()
    if lowered == name or (name in lowered and len(lowered) - len(name) < 4):
        raise WeakPasswordError("密码不能与用户名相同或只在其后加几个字符 (too close to the user name)")
    if lowered in _COMMON or len(set(password)) < 4:
        raise WeakPasswordError("密码过于常见或重复字符过多,请换一个 (too common or too repetitive)")


def _hasher() -> PasswordHasher:
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise MissingDependencyError("argon2-cffi", "the HR console's password hashing") from None
    return PasswordHasher()  # Argon2id with the library's current recommended parameters


class Passwords:
    """Hashes and checks passwords; one per app (the hasher holds only its parameters). Each
    call takes a fraction of a second on purpose: call it off the event loop."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._argon2 = hasher or _hasher()
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether `password` matches `stored_hash` (False for a damaged hash too)."""
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            return bool(self._argon2.verify(stored_hash, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether the hash was made with weaker parameters than today's (rehash at login)."""
        from argon2.exceptions import InvalidHashError

        try:
            return bool(self._argon2.check_needs_rehash(stored_hash))
        except InvalidHashError:
            return True

    def verify_or_waste_time(self, stored_hash: str | None, password: str) -> bool:
        """`verify`, or the same work against a dummy hash when there is no account."""
        if stored_hash is None:
            if self._dummy is None:
                self._dummy = self._argon2.hash("the hash an unknown user name is checked against")
            self.verify(self._dummy, password)
            return False
        return self.verify(stored_hash, password)

"""Who may do what in the console: three roles, a set of permissions each, in one table.

    hr_agent   the handoff inbox (claim, reply, hand back) and transcripts, unmasked
    designer   transcripts and annotation, with personal figures masked
    hr_admin   everything, plus the audit log and account management

Pages ask for a permission, never for a role, so a new page (annotation, retraining, analytics)
only names the permission it needs; changing who has it is a change to `ROLE_PERMISSIONS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    HR_AGENT = "hr_agent"
    HR_ADMIN = "hr_admin"
    DESIGNER = "designer"


class Permission(StrEnum):
    INBOX = "inbox"  # see waiting conversations, claim, reply, hand back
    SUPERVISE = "supervise"  # release a conversation another agent holds
    TRANSCRIPTS = "transcripts"  # read conversations
    PERSONAL_DATA = "personal_data"  # see salary figures, ID numbers, bank accounts, phones unmasked
    ANNOTATION = "annotation"  # review fallbacks and turn them into training data
    TRAINING = "training"  # retrain and deploy models
    ANALYTICS = "analytics"  # figures about the bot and the agents
    AUDIT = "audit"  # browse and export the audit log
    ACCOUNTS = "accounts"  # manage console accounts


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.HR_AGENT: frozenset({Permission.INBOX, Permission.TRANSCRIPTS, Permission.PERSONAL_DATA}),
    Role.DESIGNER: frozenset({Permission.TRANSCRIPTS, Permission.ANNOTATION, Permission.TRAINING}),
    Role.HR_ADMIN: frozenset(Permission),
}

ROLE_LABELS: dict[Role, str] = {
    Role.HR_AGENT: "HR 坐席",
    Role.HR_ADMIN: "HR 管理员",
    Role.DESIGNER: "对话设计师",
}

CONSOLE_ROLES: frozenset[str] = frozenset(role.value for role in Role)


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """The console roles among `names` (other roles, like `employee`, are ignored)."""
    return frozenset(Role(name) for name in names if name in CONSOLE_ROLES)


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    """Everything any of `roles` may do."""
    found: set[Permission] = set()
    for role in roles:
        found |= ROLE_PERMISSIONS[role]
    return frozenset(found)


def role_label(roles: Iterable[Role]) -> str:
    """The roles as the page header shows them: 'HR 坐席 / 对话设计师'."""
    return " / ".join(ROLE_LABELS[role] for role in sorted(roles))

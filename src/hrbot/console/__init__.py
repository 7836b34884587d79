"""The HR console: the web tool HR agents, HR admins and conversation designers work in.

    settings.py     what the console is configured with (credentials.yml, HRBOT_CONSOLE_*)
    roles.py        roles and the permissions each has
    passwords.py    Argon2id hashing and password rules
    tables.py       the console's SQL tables, next to the tracker store's
    accounts.py     accounts and lockout        sessions.py   server-side sessions, CSRF tokens
    audit.py        the hash-chained audit log  audit_export.py  JSON Lines / CSV
    masking.py      masking personal figures    employees.py  masked employee profiles
    claims.py       who holds which handoff     inbox.py      claim, reply, hand back
    delivery.py     replies to the employee's channel (REST callback, web chat, ...)
    transcript.py   events -> transcript lines  canned.py     canned replies from the handbook
    feed.py         the shared read of the waiting conversations
    render.py       Jinja2 templates (templates/) web.py  sessions, permissions, CSRF per request
    sections.py     how pages are registered    pages/        the pages, one module per area
    context.py      the services of one app     app.py        `console_app`, the ASGI app
    mount.py        `console_mount`: the server mounts the console at /console with it

Importing this package loads only `console_mount`; `hrbot.console.app.console_app` builds the app.
"""

from hrbot.console.mount import console_mount

__all__ = ["console_mount"]

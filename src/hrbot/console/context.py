"""Everything the console's pages share for one app: settings, the stores (opened on first
use, so building the app costs nothing until someone opens the console), the password hasher,
the page renderer and the inbox. Nothing here is global: each `console_app` has its own.

The console's tables live in the SQL database the tracker store uses. With a memory tracker
store there is none; the console then keeps its accounts in an in-memory SQLite database that
lives as long as the process (enough for tests and a demo; accounts from `hrbot console
accounts seed` need the SQL store).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from functools import cached_property

from hrbot.api.common import ServerState
from hrbot.console.accounts import AccountStore
from hrbot.console.audit import AuditLog
from hrbot.console.canned import CannedReply, read_canned_replies
from hrbot.console.claims import ClaimStore
from hrbot.console.delivery import ReplyChannel, ReplyChannels, default_reply_channels
from hrbot.console.employees import CompanyDirectory, EmployeeDirectory, NoDirectory
from hrbot.console.feed import WaitingFeed
from hrbot.console.inbox import Inbox
from hrbot.console.passwords import Passwords
from hrbot.console.render import Renderer
from hrbot.console.sections import NavEntry
from hrbot.console.sessions import SessionStore
from hrbot.console.settings import ConsoleSettings
from hrbot.console.tables import ConsoleTables, console_tables
from hrbot.dialogue.processor import MessageProcessor
from hrbot.stores.review import ReviewLog
from hrbot.stores.sql import SQLDatabase

logger = logging.getLogger(__name__)


class ConsoleContext:
    """The console's services for one app."""

    def __init__(
        self,
        state: ServerState,
        settings: ConsoleSettings,
        *,
        database: SQLDatabase | None = None,
        passwords: Passwords | None = None,
        channels: Mapping[str, ReplyChannel] | None = None,
        extra_channels: Mapping[str, ReplyChannel] | None = None,
        directory: EmployeeDirectory | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.settings = settings
        self._database = database
        self._passwords = passwords
        self._channels = channels
        self._extra_channels = dict(extra_channels or {})
        self._directory = directory
        self.now = wall_clock
        self.nav: list[NavEntry] = []  # filled in by console_app from the sections

    # ---------------------------------------------------------------------- stores (lazy)

    @cached_property
    def tables(self) -> ConsoleTables:
        database = self._database
        if database is None and self.state.assistant is not None:
            database = self.state.assistant.stores.database
        if database is None:
            logger.warning("the tracker store is in memory: console accounts, sessions and the audit log "
                           "are kept in memory too and are lost when the server stops")
            database = SQLDatabase("sqlite://")
        return console_tables(database)

    @cached_property
    def accounts(self) -> AccountStore:
        return AccountStore(self.tables)

    @cached_property
    def sessions(self) -> SessionStore:
        return SessionStore(self.tables, idle_seconds=self.settings.session_idle_seconds,
                            max_seconds=self.settings.session_max_seconds)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.tables)

    @cached_property
    def claims(self) -> ClaimStore:
        return ClaimStore(self.tables)

    @cached_property
    def passwords(self) -> Passwords:
        return self._passwords or Passwords()

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.settings.timezone)

    @cached_property
    def directory(self) -> EmployeeDirectory:
        if self._directory is not None:
            return self._directory
        if self.settings.company_file is None:
            return NoDirectory()
        return CompanyDirectory.from_file(self.settings.company_file)

    @cached_property
    def canned_replies(self) -> list[CannedReply]:
        return read_canned_replies(self.settings.handbook_file)

    @cached_property
    def reply_channels(self) -> ReplyChannels:
        channels = dict(self._channels if self._channels is not None
                        else default_reply_channels(self.settings.callback_url))
        return ReplyChannels({**channels, **self._extra_channels})

    @cached_property
    def inbox(self) -> Inbox:
        return Inbox(
            processor=self._processor, review_log=self._review_log, claims=self.claims,
            directory=lambda: self.directory, channels=self.reply_channels, audit=self.audit,
            clock=self.state.clock, wall_clock=self.now, last_count=self.settings.last_messages,
        )

    @cached_property
    def waiting_feed(self) -> WaitingFeed:
        return WaitingFeed(self.inbox, self.settings.live_poll_seconds)

    def _processor(self) -> MessageProcessor | None:
        return self.state.assistant.processor if self.state.assistant is not None else None

    def _review_log(self) -> ReviewLog | None:
        return self.state.assistant.stores.review_log if self.state.assistant is not None else None

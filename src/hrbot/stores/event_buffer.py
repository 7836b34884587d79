"""Events the event broker could not deliver, kept on disk until it can.

Each process appends to a file of its own in the buffer folder, one JSON line per message
(`{"message_id": ..., "body": {...}}`), flushed and fsync'd before the caller goes on, so a
crash right after cannot lose them. The process holds an exclusive `flock` on its file while
it lives. Files are named `events-<creation time in ns>-<pid>-<random>.jsonl`, so sorting the
names sorts them by age.

A file whose lock can be taken belongs to a process that has ended (crashed or stopped while
RabbitMQ was down): the next process that looks adopts it, resends it before anything newer
and deletes it. Sending is "at least once": a process that dies after RabbitMQ confirmed a
message but before the file was finished resends it; the message id lets consumers drop such
repeats.

Locking needs POSIX `fcntl`; without it (Windows) a process resends only its own file.

Every method is synchronous and thread-safe; the broker calls the slow ones (append: fsync)
from a worker thread.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

FILE_PATTERN = "events-*.jsonl"


@dataclass(frozen=True)
class BufferedMessage:
    """One message for the broker: its body (Rasa's event dict with sender_id) and an id that
    stays the same however often it is resent."""

    message_id: str
    body: dict[str, Any]

    def to_line(self) -> bytes:
        return (json.dumps({"message_id": self.message_id, "body": self.body}, ensure_ascii=False)
                + "\n").encode("utf-8")


@dataclass(frozen=True)
class BufferPosition:
    """Where a message ends in its buffer file: what `mark_sent` needs once it is confirmed."""

    path: Path
    offset: int


@dataclass
class _BufferFile:
    path: Path
    handle: IO[bytes]
    own: bool
    read_offset: int = 0


class DiskEventBuffer:
    """The on-disk queue of one process (plus the files of ended processes it adopted),
    oldest file first."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._own: _BufferFile | None = None
        self._files: list[_BufferFile] = []
        self._scanned = False

    # -- writing ----------------------------------------------------------------------------

    def append(self, messages: Sequence[BufferedMessage]) -> Path:
        """Add `messages` at the end and make them durable; the file they are in."""
        data = b"".join(message.to_line() for message in messages)
        with self._lock:
            own = self._own_file()
            own.handle.seek(0, os.SEEK_END)
            own.handle.write(data)
            own.handle.flush()
            os.fsync(own.handle.fileno())
            return own.path

    def _own_file(self) -> _BufferFile:
        if self._own is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"events-{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}.jsonl"
            path = self.folder / name
            handle = open(path, "a+b")  # noqa: SIM115 - kept open (and locked) while the process lives
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._own = _BufferFile(path, handle, own=True)
            self._files.append(self._own)
            _fsync_folder(self.folder)
        return self._own

    # -- reading ----------------------------------------------------------------------------

    def has_backlog(self) -> bool:
        """Whether anything waits to be sent (looks for files of ended processes once)."""
        with self._lock:
            if not self._scanned:
                self._adopt_orphans()
            return bool(self._files)

    def rescan(self) -> None:
        """Look again for files that ended processes left behind."""
        with self._lock:
            self._adopt_orphans()

    def peek(self, limit: int) -> list[tuple[BufferedMessage, BufferPosition]]:
        """Up to `limit` of the oldest unsent messages, each with the position to pass to
        `mark_sent` once the broker confirmed it. Finished files are deleted on the way; an
        empty list means nothing is left."""
        with self._lock:
            while self._files:
                current = self._files[0]
                found = self._read(current, limit)
                if found:
                    return found
                self._finish(current)
            return []

    def mark_sent(self, position: BufferPosition) -> None:
        """Everything of its file up to `position` was confirmed by the broker."""
        with self._lock:
            for buffer_file in self._files:
                if buffer_file.path == position.path:
                    buffer_file.read_offset = max(buffer_file.read_offset, position.offset)

    def pending(self) -> int:
        """How many messages wait (reads the files; for logs and tests)."""
        with self._lock:
            total = 0
            for buffer_file in self._files:
                buffer_file.handle.seek(buffer_file.read_offset)
                total += sum(1 for line in buffer_file.handle if line.strip())
            return total

    def close(self) -> None:
        """Release the files; what is unsent stays on disk for the next process."""
        with self._lock:
            for buffer_file in self._files:
                buffer_file.handle.close()
            self._files = []
            self._own = None
            self._scanned = False

    # -- internals ----------------------------------------------------------------------------

    def _read(self, buffer_file: _BufferFile, limit: int) -> list[tuple[BufferedMessage, BufferPosition]]:
        handle = buffer_file.handle
        handle.seek(buffer_file.read_offset)
        found: list[tuple[BufferedMessage, BufferPosition]] = []
        while len(found) < limit:
            line = handle.readline()
            if not line:
                break
            if not line.endswith(b"\n") and not buffer_file.own:
                # the last line of a process that died while writing it: never completed
                logger.error("event buffer %s: skipping an incomplete last line", buffer_file.path)
                buffer_file.read_offset = handle.tell()
                break
            position = handle.tell()
            message = _parse(line)
            if message is None:
                logger.error("event buffer %s: skipping an unreadable line at byte %d",
                             buffer_file.path, position - len(line))
                if not found:
                    buffer_file.read_offset = position
                continue
            found.append((message, BufferPosition(buffer_file.path, position)))
        return found

    def _finish(self, buffer_file: _BufferFile) -> None:
        """Delete a fully sent file. It is emptied first, so that a process which opened it
        just before it disappeared finds nothing to send twice."""
        handle = buffer_file.handle
        handle.truncate(0)
        handle.flush()
        os.fsync(handle.fileno())
        buffer_file.path.unlink(missing_ok=True)
        handle.close()
        self._files.remove(buffer_file)
        if buffer_file is self._own:
            self._own = None

    def _adopt_orphans(self) -> None:
        self._scanned = True
        if fcntl is None or not self.folder.is_dir():
            return
        known = {buffer_file.path for buffer_file in self._files}
        for path in sorted(self.folder.glob(FILE_PATTERN)):
            if path in known:
                continue
            try:
                handle = open(path, "r+b")  # noqa: SIM115 - kept open (and locked) until resent
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()  # a live process owns it (or is resending it)
                continue
            if os.fstat(handle.fileno()).st_nlink == 0:
                handle.close()  # finished and deleted by its owner just now
                continue
            logger.warning("event buffer: resending %s, left behind by a process that ended", path.name)
            self._files.append(_BufferFile(path, handle, own=False))
        self._files.sort(key=lambda buffer_file: buffer_file.path.name)


def _parse(line: bytes) -> BufferedMessage | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("body"), dict):
        return None
    return BufferedMessage(str(data.get("message_id") or ""), data["body"])


def _fsync_folder(folder: Path) -> None:
    """Make a new file's name durable too (POSIX; a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

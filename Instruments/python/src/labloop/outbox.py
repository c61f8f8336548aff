"""The agent's on-disk outbox: every unacknowledged result, durable before its first send."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import List

from .errors import ConfigurationError
from .wire import decode

_logger = logging.getLogger("labloop.outbox")
SUFFIX = ".envelope"


@dataclass(frozen=True)
class OutboxEntry:
    message_id: str
    experiment_id: str
    frame: bytes


class Outbox:
    """One file per result envelope, named after its message id (the same layout as the Swift agent's).

    ``put`` writes and fsyncs the file (and its directory) before returning, so a result survives a
    crash of the agent as soon as it may have been sent; ``remove`` deletes it once acknowledged.
    """

    def __init__(self, directory: "os.PathLike[str] | str") -> None:
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(f"cannot create the outbox directory {self.directory}: {error.strerror}") from None

    def _path(self, message_id: str) -> Path:
        safe = "".join(c for c in message_id if c.isalnum() or c == "-")
        if not safe:
            raise ConfigurationError(f"message id {message_id!r} has no letters or digits to name an outbox file")
        return self.directory / (safe + SUFFIX)

    def put(self, message_id: str, frame: bytes) -> None:
        path = self._path(message_id)
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "wb") as handle:
            handle.write(frame)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        self._sync_directory()

    def remove(self, message_id: str) -> None:
        try:
            self._path(message_id).unlink()
        except FileNotFoundError:
            pass

    def entries(self) -> List[OutboxEntry]:
        """Every result waiting for acknowledgement, oldest file name first. Unreadable files are logged and kept."""
        found = []
        for path in sorted(self.directory.glob("*" + SUFFIX)):
            frame = path.read_bytes()
            envelope = decode(frame)
            if envelope is None or envelope.WhichOneof("body") != "result":
                _logger.error("outbox file %s is not a result envelope; leaving it for inspection", path)
                continue
            found.append(OutboxEntry(envelope.message_id, envelope.result.experiment_id, frame))
        return found

    def _sync_directory(self) -> None:
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

"""Exceptions raised by the LabLoop Python SDK."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union


class LabLoopError(Exception):
    """Base class of every error the SDK raises."""


class ConfigurationError(LabLoopError, ValueError):
    """An argument, endpoints file or key is unusable. The message says what to change."""


class KeyFileError(ConfigurationError):
    """A LabLoop ``.key`` or ``.pub`` file is malformed."""

    def __init__(self, path: Union[str, Path], reason: str, line: Optional[int] = None) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {reason}")


class ExperimentFailed(LabLoopError):
    """Raise from an instrument's run function to report a failed experiment.

    ``kind`` is matched against a campaign's ``retries.retry_on`` (e.g. ``transient``); ``message``
    is for people.
    """

    def __init__(self, kind: str, message: str) -> None:
        if not kind:
            raise ValueError("ExperimentFailed needs a non-empty failure kind, e.g. 'transient' or 'hardware'")
        self.kind = kind
        self.message = message
        super().__init__(f"{kind}: {message}")

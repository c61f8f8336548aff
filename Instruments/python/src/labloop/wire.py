"""Envelopes and values: the small layer between Python and the generated ``labloop.v1`` messages."""

from __future__ import annotations

import math
import numbers
import threading
import time
import uuid
from typing import Dict, Iterable, List, Mapping, Optional, Union

from google.protobuf.message import DecodeError, Message

from .errors import ConfigurationError
from .v1 import common_pb2, envelope_pb2

PROTOCOL_VERSION = 1
Scalar = Union[float, int, str]


class EnvelopeMaker:
    """Builds envelopes for one sender: fresh message ids and the per-session sequence (thread-safe)."""

    def __init__(self, sender: str) -> None:
        if not sender:
            raise ConfigurationError("an envelope sender must not be empty")
        self.sender = sender
        self._seq = 0
        self._lock = threading.Lock()

    def restart_session(self) -> None:
        """``session_seq`` starts again at 1 after each hello."""
        with self._lock:
            self._seq = 0

    def make(self, body_field: str, body: Message, correlation_id: str = "",
             message_id: Optional[str] = None) -> envelope_pb2.Envelope:
        with self._lock:
            self._seq += 1
            seq = self._seq
        envelope = envelope_pb2.Envelope(
            protocol_version=PROTOCOL_VERSION, message_id=message_id or str(uuid.uuid4()), sender=self.sender,
            session_seq=seq, correlation_id=correlation_id, sent_unix_ms=now_ms())
        getattr(envelope, body_field).CopyFrom(body)
        return envelope


def decode(frame: bytes) -> Optional[envelope_pb2.Envelope]:
    """The envelope in ``frame``, or None if it does not parse or is not protocol version 1."""
    envelope = envelope_pb2.Envelope()
    try:
        envelope.ParseFromString(frame)
    except DecodeError:
        return None
    if envelope.protocol_version != PROTOCOL_VERSION or envelope.WhichOneof("body") is None:
        return None
    return envelope


def now_ms() -> int:
    return int(time.time() * 1000)


def from_value(value: common_pb2.Value) -> Scalar:
    """A ``Value`` as a Python float, int or str. Raises ConfigurationError for a value with no kind."""
    kind = value.WhichOneof("kind")
    if kind is None:
        raise ConfigurationError("a value with no kind (none of real, integer, category is set)")
    result: Scalar = getattr(value, kind)
    return result


def to_value(value: Scalar) -> common_pb2.Value:
    """A Python number or string as a ``Value``: int → integer, float → real, str → category."""
    if isinstance(value, bool):
        raise ConfigurationError("booleans are not LabLoop values: use 0/1 or a category")
    if isinstance(value, numbers.Integral):
        return common_pb2.Value(integer=int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ConfigurationError(f"values must be finite, found {number}")
        return common_pb2.Value(real=number)
    if isinstance(value, str):
        return common_pb2.Value(category=value)
    raise ConfigurationError(f"{value!r} ({type(value).__name__}) is not a number or a string")


def to_dict(named: Iterable[common_pb2.NamedValue]) -> Dict[str, Scalar]:
    """Named values as a dict. Raises ConfigurationError for a repeated name or a value with no kind."""
    result: Dict[str, Scalar] = {}
    for item in named:
        if item.name in result:
            raise ConfigurationError(f"{item.name!r} appears twice")
        try:
            result[item.name] = from_value(item.value)
        except ConfigurationError as error:
            raise ConfigurationError(f"{item.name!r}: {error}") from None
    return result


def named_values(values: Mapping[str, Scalar]) -> List[common_pb2.NamedValue]:
    """A dict as named values, in the dict's order."""
    result = []
    for name, value in values.items():
        try:
            result.append(common_pb2.NamedValue(name=name, value=to_value(value)))
        except ConfigurationError as error:
            raise ConfigurationError(f"{name!r}: {error}") from None
    return result

"""Following the event stream in seq order, filling gaps from the catch-up socket (protocol.md §8)."""

from __future__ import annotations

from typing import List, Optional

from .v1 import events_pb2

CATCH_UP_PAGE = 1000


class GapFiller:
    """Decides which events to apply and when to ask the catch-up socket, for a follower of all campaigns.

    Pure bookkeeping (no sockets, times passed in). ``last`` is the last applied seq; events are
    handed back strictly as ``last + 1, last + 2, …``. Feed it live events, stream heartbeats and
    catch-up responses; send the request ``request(now)`` returns and report its message id with
    ``sent``.
    """

    def __init__(self, after_seq: int = 0, timeout: float = 5.0) -> None:
        if after_seq < 0:
            raise ValueError("after_seq must not be negative")
        self.last = after_seq
        self.timeout = timeout
        self._known_latest: Optional[int] = None  # the highest seq known to exist; None: catch up to learn it
        self._in_flight: Optional[str] = None
        self._sent_at = 0.0

    @property
    def catching_up(self) -> bool:
        return self._behind() or self._in_flight is not None

    def _behind(self) -> bool:
        return self._known_latest is None or self._known_latest > self.last

    def live(self, event: events_pb2.Event) -> List[events_pb2.Event]:
        """A live event: applied if it is the next one; a gap means a catch-up."""
        if event.seq <= self.last:
            return []
        if event.seq == self.last + 1:
            self.last = event.seq
            return [event]
        self.announced(event.seq)
        return []

    def announced(self, latest_seq: int) -> None:
        """A heartbeat (stream, coordinator or welcome) or a later event names a seq that exists."""
        self._known_latest = latest_seq if self._known_latest is None else max(self._known_latest, latest_seq)

    def request(self, now: float) -> Optional[events_pb2.CatchUpRequest]:
        """The catch-up request to send now: when behind, and no request is waiting for its answer
        (one unanswered for ``timeout`` seconds is asked again)."""
        if self._in_flight is not None and now - self._sent_at < self.timeout:
            return None
        if not self._behind():
            return None
        return events_pb2.CatchUpRequest(after_seq=self.last, max_events=CATCH_UP_PAGE)

    def sent(self, message_id: str, now: float) -> None:
        self._in_flight = message_id
        self._sent_at = now

    def response(self, correlation_id: str, response: events_pb2.CatchUpResponse) -> List[events_pb2.Event]:
        """A catch-up response: the events to apply, in order. Answers to older requests are used too."""
        applied = []
        for event in response.events:
            if event.seq <= self.last:
                continue
            if event.seq != self.last + 1:
                break  # a hole inside a page cannot happen unfiltered; the next request asks again
            self.last = event.seq
            applied.append(event)
        if correlation_id == self._in_flight:
            self._in_flight = None
        self.announced(response.latest_seq)
        if response.more:
            self.announced(self.last + 1)
        return applied

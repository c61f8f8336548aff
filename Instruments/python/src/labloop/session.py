"""Pieces shared by Agent and ModelService: registration timing, the I/O thread's lifecycle, wake-ups."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from types import FrameType
from typing import Optional, Tuple, TypeVar

from .errors import LabLoopError
from .v1 import common_pb2, envelope_pb2

HELLO_EVERY_S = 2.0
ServiceType = TypeVar("ServiceType", bound="Service")


class Registration:
    """When to say hello, when to heartbeat, and when the coordinator has gone silent (protocol.md §5).

    Pure bookkeeping: every method takes the current monotonic time, so it is tested without clocks.
    """

    def __init__(self, now: float) -> None:
        self.registered = False
        self.heartbeat_interval = 1.0
        self.liveness_timeout = 5.0
        self._last_hello: Optional[float] = None
        self._last_heard = now
        self._last_beat = now

    def hello_due(self, now: float) -> bool:
        """Not registered, and no hello for ``HELLO_EVERY_S``: send one (and call ``hello_sent``)."""
        if self.registered:
            return False
        return self._last_hello is None or now - self._last_hello >= HELLO_EVERY_S

    def hello_sent(self, now: float) -> None:
        self._last_hello = now

    def welcomed(self, now: float, heartbeat_interval_ms: int, liveness_timeout_ms: int) -> None:
        self.registered = True
        self._last_heard = now
        self._last_beat = now
        if heartbeat_interval_ms > 0:
            self.heartbeat_interval = max(0.1, heartbeat_interval_ms / 1000)
        if liveness_timeout_ms > 0:
            self.liveness_timeout = max(1.0, liveness_timeout_ms / 1000)

    def heard(self, now: float) -> None:
        """Anything from the coordinator is a sign of life."""
        self._last_heard = now

    def heartbeat_due(self, now: float) -> bool:
        if not self.registered or now - self._last_beat < self.heartbeat_interval:
            return False
        self._last_beat = now
        return True

    def coordinator_silent(self, now: float) -> bool:
        """Registered, but nothing heard for longer than the liveness timeout: assume a restart."""
        return self.registered and now - self._last_heard > self.liveness_timeout

    def due(self, now: float, logger: logging.Logger) -> Tuple[bool, bool]:
        """What to send now: (a hello, a heartbeat). A coordinator silent too long means hello again."""
        if self.coordinator_silent(now):
            logger.warning("coordinator silent for %.1f s; registering again", self.liveness_timeout)
            self.lost()
        return self.hello_due(now), self.heartbeat_due(now)

    def lost(self) -> None:
        """``NOT_REGISTERED``, a silent coordinator or a disconnect: say hello again at once."""
        self.registered = False
        self._last_hello = None

    def seconds_until_due(self, now: float) -> float:
        """How long the I/O loop may sleep before something here needs doing."""
        if not self.registered:
            return 0.0 if self._last_hello is None else max(0.0, HELLO_EVERY_S - (now - self._last_hello))
        return max(0.0, min(self.heartbeat_interval - (now - self._last_beat),
                            self.liveness_timeout - (now - self._last_heard)))


def handle_refusal_or_goodbye(envelope: envelope_pb2.Envelope, registration: Registration,
                              logger: logging.Logger) -> bool:
    """``error`` and ``disconnect`` from the coordinator, the same for agents and model services.

    ``NOT_REGISTERED`` and ``disconnect`` mean "say hello again"; other errors are logged. Returns
    True if the envelope was one of these.
    """
    body = envelope.WhichOneof("body")
    if body == "error":
        error = envelope.error
        if error.code == common_pb2.ERROR_CODE_NOT_REGISTERED:
            logger.info("coordinator does not know this session; registering again")
            registration.lost()
        else:
            logger.warning("coordinator refused a message code=%s reason=%s", common_pb2.ErrorCode.Name(error.code),
                           error.reason)
        return True
    if body == "disconnect":
        registration.lost()
        return True
    return False


class Waker:
    """Wakes the I/O thread's poll from other threads (a socket pair the poller watches)."""

    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def fileno(self) -> int:
        return self._reader.fileno()

    def wake(self) -> None:
        try:
            self._writer.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # already awake (buffer full) or closing

    def drain(self) -> None:
        try:
            while self._reader.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


class Service:
    """A background I/O thread with ``start``/``stop``/``wait`` and context-manager use.

    Subclasses implement ``_serve``, which runs on the thread until ``_stopping`` is set.
    """

    def __init__(self, name: str, logger: logging.Logger) -> None:
        self.name = name
        self.logger = logger
        self._stopping = threading.Event()
        self._finished = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._failure: Optional[BaseException] = None
        self._waker = Waker()

    def _serve(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is not None:
            raise LabLoopError(f"{self.name} was already started; make a new one to start again")
        self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            self._serve()
        except BaseException as error:  # reported by wait()/stop() in the owner's thread
            self._failure = error
            self.logger.exception("%s stopped on an error", self.name)
        finally:
            self._waker.close()
            self._finished.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Asks the thread to finish (see the subclass for what it still sends) and waits for it."""
        self._stopping.set()
        self._waker.wake()
        if self._thread is None:
            self._waker.close()
        else:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise LabLoopError(f"{self.name} did not stop within {timeout} s")
        self._raise_failure()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Blocks until the service has finished (stopped or failed); True if it has. Re-raises its error."""
        finished = self._finished.wait(timeout)
        self._raise_failure()
        return finished

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._finished.is_set()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise LabLoopError(f"{self.name} failed: {self._failure}") from self._failure

    def __enter__(self: ServiceType) -> ServiceType:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def run_until_signalled(*services: Service) -> None:
    """Starts the services, waits for SIGINT or SIGTERM (or one of them ending), then stops them all.

    Also stops when ``LABLOOP_DIE_WITH_PARENT`` is set and the parent process has gone, as LabLoop's
    own child processes do.
    """
    stop = threading.Event()

    def on_signal(number: int, frame: Optional[FrameType]) -> None:
        stop.set()

    numbers = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, on_signal) for number in numbers}
    # A parent may start us with these signals blocked (Swift's Foundation.Process passes on its mask).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, numbers)
    started = []
    try:
        for service in services:
            service.start()
            started.append(service)
        parent = os.getppid()
        watch_parent = os.environ.get("LABLOOP_DIE_WITH_PARENT") == "1"
        while not stop.is_set() and all(service.running for service in started):
            if watch_parent and os.getppid() != parent:
                break
            stop.wait(0.2)
    finally:
        try:
            for service in reversed(started):
                service.stop()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

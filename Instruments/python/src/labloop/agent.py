"""An instrument agent: registers, heartbeats, runs assignments and delivers every result at least once."""

from __future__ import annotations

import logging
import math
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

import zmq
from google.protobuf.message import Message

from .connection import Connection, PeerSocket
from .errors import ConfigurationError, ExperimentFailed
from .outbox import Outbox
from .session import Registration, Service, handle_refusal_or_goodbye
from .v1 import agent_pb2, common_pb2, envelope_pb2
from .wire import EnvelopeMaker, Scalar, decode, named_values, now_ms, to_dict

__all__ = ["Agent", "Job", "Limit", "Measurements", "Operation"]

Measurements = Mapping[str, Union[float, int]]


@dataclass(frozen=True)
class Limit:
    """A hard limit of an operation: ``low``..``high`` for a number, or the allowed ``categories``."""

    name: str
    low: float = 0.0
    high: float = 0.0
    categories: Sequence[str] = ()
    unit: str = ""


@dataclass(frozen=True)
class Operation:
    """An operation the instrument offers. ``repeatable``: re-running it consumes nothing irreplaceable."""

    name: str
    measurements: Sequence[str] = ()
    limits: Sequence[Limit] = ()
    repeatable: bool = False


@dataclass
class Job:
    """One experiment to run. Check ``cancelled`` between steps; report progress with ``report_progress``."""

    experiment_id: str
    attempt: int
    campaign_id: str
    operation: str
    parameters: Dict[str, Scalar]
    measurements: List[str]
    cancelled: threading.Event = field(default_factory=threading.Event)
    _progress: Callable[[float, str], None] = field(default=lambda fraction, message: None, repr=False)

    def report_progress(self, fraction: float, message: str = "") -> None:
        """Tells the coordinator how far the experiment is (0…1). Optional; counts as a sign of life."""
        self._progress(min(1.0, max(0.0, fraction)), message)


RunFunction = Callable[[Job], Measurements]


@dataclass
class _Pending:
    experiment_id: str
    frame: bytes
    next_send: float
    interval: float


class Agent(Service):
    """Connects an instrument to the coordinator (protocol.md §5–6).

    ``run(job)`` is called on a worker thread per experiment, at most ``capacity`` at a time. It
    returns the measurements by name (floats or ints) or raises :class:`ExperimentFailed`; any
    other exception is reported as failure kind ``error``. Each result is written to the outbox
    directory (fsynced) before it is first sent and resent until the coordinator acknowledges it,
    across reconnects and restarts of the agent or the coordinator.

    Use it as a context manager (``with Agent(...) as agent: agent.wait()``) or with
    :func:`labloop.run_until_signalled`. ``stop()`` cancels running jobs (their ``cancelled`` is
    set), waits for their results and the acknowledgements (up to ``stop_grace`` seconds), and then
    sends ``disconnect``.
    """

    def __init__(self, connection: Connection, run: RunFunction, *, kind: str, operations: Sequence[Operation],
                 outbox: "os.PathLike[str] | str", instrument_id: Optional[str] = None, capacity: int = 1,
                 software: str = "labloop-python 0.1", resend_interval: float = 2.0,
                 max_resend_interval: float = 30.0, stop_grace: float = 5.0,
                 logger: Optional[logging.Logger] = None) -> None:
        self.instrument_id = connection.sender(instrument_id, "instrument id")
        super().__init__(f"labloop-agent-{self.instrument_id}", logger or logging.getLogger("labloop.agent"))
        if capacity < 1:
            raise ConfigurationError(f"capacity must be at least 1, got {capacity}")
        if not operations or any(not operation.name for operation in operations):
            raise ConfigurationError("an agent needs at least one operation, each with a name")
        if resend_interval <= 0 or max_resend_interval < resend_interval:
            raise ConfigurationError("resend_interval must be positive and at most max_resend_interval")
        self.connection = connection
        self.run_function = run
        self.kind = kind
        self.operations = list(operations)
        self.capacity = capacity
        self.software = software
        self.resend_interval = resend_interval
        self.max_resend_interval = max_resend_interval
        self.stop_grace = stop_grace
        self.outbox = Outbox(outbox)
        self._envelopes = EnvelopeMaker(self.instrument_id)
        # Owned by the I/O thread only.
        self._jobs: Dict[str, Job] = {}
        self._unacked: Dict[str, _Pending] = {}
        self._unwanted: Set[str] = set()
        # From worker threads to the I/O thread.
        self._outgoing: "queue.SimpleQueue[Tuple[Optional[str], str, bytes]]" = queue.SimpleQueue()
        self._socket: Optional[zmq.Socket] = None
        self._registration = Registration(time.monotonic())

    # Public state, safe to read from any thread (approximate while running).

    @property
    def registered(self) -> bool:
        return self._registration.registered

    def unacknowledged(self) -> List[str]:
        """Message ids of the results still waiting for an acknowledgement."""
        return sorted(self._unacked)

    # The I/O thread.

    def _serve(self) -> None:
        now = time.monotonic()
        for entry in self.outbox.entries():
            self._unacked[entry.message_id] = _Pending(entry.experiment_id, entry.frame, now, self.resend_interval)
        if self._unacked:
            self.logger.info("%d unacknowledged results in the outbox will be resent after registering",
                             len(self._unacked))
        context = zmq.Context()
        link: Optional[PeerSocket] = None
        try:
            link = PeerSocket(self.connection, context, zmq.DEALER, self.connection.endpoints.agents, logger=self.logger)
            self._socket = link.socket
            poller = zmq.Poller()
            poller.register(self._socket, zmq.POLLIN)
            poller.register(self._waker, zmq.POLLIN)
            self._loop(poller, link)
            self._say_goodbye()
        finally:
            if link is not None:
                link.close()
            context.term()

    def _loop(self, poller: zmq.Poller, link: PeerSocket) -> None:
        stop_deadline: Optional[float] = None
        while True:
            now = time.monotonic()
            link.check(now)
            if self._stopping.is_set():
                if stop_deadline is None:
                    stop_deadline = now + self.stop_grace
                    for job in self._jobs.values():
                        job.cancelled.set()
                if (not self._jobs and not self._unacked) or now >= stop_deadline:
                    return
            self._maintain(now)
            self._drain_outgoing(now)
            timeout = min(0.1, self._registration.seconds_until_due(now))
            for sock, _ in poller.poll(max(1, int(timeout * 1000))):
                if sock is self._socket:
                    self._receive_all()
                else:  # the waker's file descriptor
                    self._waker.drain()

    def _maintain(self, now: float) -> None:
        hello, heartbeat = self._registration.due(now, self.logger)
        if hello:
            self._send_hello(now)
        if heartbeat:
            self._send("heartbeat", agent_pb2.Heartbeat(running=len(self._jobs)))
        if self._registration.registered:
            for pending in self._unacked.values():
                if pending.next_send <= now:
                    self._socket_send(pending.frame)
                    pending.next_send = now + pending.interval
                    pending.interval = min(self.max_resend_interval, pending.interval * 2)

    def _send_hello(self, now: float) -> None:
        in_flight = sorted(set(self._jobs) | {pending.experiment_id for pending in self._unacked.values()})
        hello = agent_pb2.AgentHello(
            instrument_id=self.instrument_id, kind=self.kind, capacity=self.capacity, in_flight=in_flight,
            software=self.software,
            operations=[agent_pb2.OperationCapability(
                name=operation.name, measurements=list(operation.measurements), repeatable=operation.repeatable,
                limits=[agent_pb2.ParameterLimit(name=limit.name, low=limit.low, high=limit.high,
                                                 categories=list(limit.categories), unit=limit.unit)
                        for limit in operation.limits])
                for operation in self.operations])
        self._envelopes.restart_session()
        self._send("agent_hello", hello)
        self._registration.hello_sent(now)
        self.logger.debug("hello sent in_flight=%s", in_flight)

    def _receive_all(self) -> None:
        assert self._socket is not None
        while True:
            try:
                frames = self._socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            envelope = decode(frames[0]) if len(frames) == 1 else None
            if envelope is None:
                self.logger.warning("ignored a malformed message from the coordinator (%d frames)", len(frames))
                continue
            self._registration.heard(time.monotonic())
            self._handle(envelope)

    def _handle(self, envelope: envelope_pb2.Envelope) -> None:
        body = envelope.WhichOneof("body")
        if body == "agent_welcome":
            self._welcomed(envelope.agent_welcome)
        elif body == "assignment":
            self._assign(envelope.assignment)
        elif body == "result_ack":
            self._acknowledged(envelope.correlation_id, envelope.result_ack)
        elif body == "cancel":
            job = self._jobs.get(envelope.cancel.experiment_id)
            self.logger.info("cancel requested experiment=%s reason=%s running=%s",
                             envelope.cancel.experiment_id, envelope.cancel.reason, job is not None)
            if job is not None:
                job.cancelled.set()
        else:
            handle_refusal_or_goodbye(envelope, self._registration, self.logger)

    def _welcomed(self, welcome: agent_pb2.AgentWelcome) -> None:
        now = time.monotonic()
        self._registration.welcomed(now, welcome.heartbeat_interval_ms, welcome.liveness_timeout_ms)
        cancel = set(welcome.cancel)
        for experiment_id in cancel & set(self._jobs):
            self._jobs[experiment_id].cancelled.set()
            self._unwanted.add(experiment_id)
        for message_id in [m for m, p in self._unacked.items() if p.experiment_id in cancel]:
            self.logger.info("dropping result the coordinator no longer wants experiment=%s",
                             self._unacked[message_id].experiment_id)
            del self._unacked[message_id]
            self.outbox.remove(message_id)
        for pending in self._unacked.values():  # resend everything now that the coordinator knows us again
            pending.next_send = now
            pending.interval = self.resend_interval
        self.logger.info("registered session=%s cancelled=%d unacknowledged=%d",
                         welcome.session_id, len(cancel), len(self._unacked))

    def _assign(self, assignment: agent_pb2.Assignment) -> None:
        experiment_id = assignment.experiment_id
        if experiment_id in self._jobs:  # seen before: answer again, never run twice
            self._send("assignment_accepted", agent_pb2.AssignmentAccepted(experiment_id=experiment_id))
            return
        if any(p.experiment_id == experiment_id for p in self._unacked.values()):
            return  # finished already; the result is on its way
        if not any(operation.name == assignment.operation for operation in self.operations):
            return self._decline(experiment_id, f"operation {assignment.operation!r} is not offered")
        if len(self._jobs) >= self.capacity:
            return self._decline(experiment_id, "at capacity")
        try:
            parameters = to_dict(assignment.parameters)
        except ConfigurationError as error:
            return self._decline(experiment_id, f"bad parameters: {error}")
        self._send("assignment_accepted", agent_pb2.AssignmentAccepted(experiment_id=experiment_id))
        job = Job(experiment_id=experiment_id, attempt=assignment.attempt, campaign_id=assignment.campaign_id,
                  operation=assignment.operation, parameters=parameters,
                  measurements=list(assignment.measurements),
                  _progress=lambda fraction, message: self._post(None, experiment_id,
                                                                 self._progress_frame(experiment_id, fraction, message)))
        self._jobs[experiment_id] = job
        self.logger.info("running experiment=%s attempt=%d parameters=%s", experiment_id, job.attempt, parameters)
        threading.Thread(target=self._execute, args=(job,), name=f"job-{experiment_id}", daemon=True).start()

    def _decline(self, experiment_id: str, reason: str) -> None:
        self.logger.info("declined experiment=%s reason=%s", experiment_id, reason)
        self._send("assignment_declined", agent_pb2.AssignmentDeclined(experiment_id=experiment_id, reason=reason))

    def _acknowledged(self, message_id: str, ack: agent_pb2.ResultAck) -> None:
        pending = self._unacked.pop(message_id, None)
        if pending is None:
            return  # an answer to a resend we had already settled
        self.outbox.remove(message_id)
        status = agent_pb2.AckStatus.Name(ack.status)
        if ack.status == agent_pb2.ACK_STATUS_REJECTED:
            self.logger.error("result rejected experiment=%s message_id=%s reason=%s",
                              pending.experiment_id, message_id, ack.reason)
        else:
            self.logger.info("result acknowledged experiment=%s message_id=%s status=%s",
                             pending.experiment_id, message_id, status)

    # Worker threads: run the experiment, make the result durable, hand it to the I/O thread.

    def _execute(self, job: Job) -> None:
        result = agent_pb2.ExperimentResult(experiment_id=job.experiment_id, attempt=job.attempt,
                                            started_unix_ms=now_ms())
        try:
            measurements = self.run_function(job)
            result.measurements.extend(named_values(self._checked(measurements)))
            result.outcome = common_pb2.OUTCOME_SUCCEEDED
        except ExperimentFailed as failure:
            result.outcome = common_pb2.OUTCOME_FAILED
            result.failure.CopyFrom(common_pb2.Failure(kind=failure.kind, message=failure.message))
        except Exception as error:  # the instrument code's bug or fault: report it, keep serving
            self.logger.exception("experiment %s raised", job.experiment_id)
            result.outcome = common_pb2.OUTCOME_FAILED
            result.failure.CopyFrom(common_pb2.Failure(kind="error", message=f"{type(error).__name__}: {error}"))
        result.finished_unix_ms = now_ms()
        envelope = self._envelopes.make("result", result)
        frame = envelope.SerializeToString()
        try:
            self.outbox.put(envelope.message_id, frame)
        except OSError as error:
            self.logger.error("could not write the result to the outbox (%s); sending it anyway", error)
        self._post(envelope.message_id, job.experiment_id, frame)

    @staticmethod
    def _checked(measurements: Measurements) -> Measurements:
        if not isinstance(measurements, Mapping):
            raise TypeError(f"run() must return a mapping of measurement names to numbers, not {type(measurements).__name__}")
        for name, value in measurements.items():
            if isinstance(value, str) or (isinstance(value, float) and not math.isfinite(value)):
                raise TypeError(f"measurement {name!r} must be a finite number, got {value!r}")
        return measurements

    def _progress_frame(self, experiment_id: str, fraction: float, message: str) -> bytes:
        body = agent_pb2.Progress(experiment_id=experiment_id, fraction=fraction, message=message)
        return self._envelopes.make("progress", body).SerializeToString()

    def _post(self, result_message_id: Optional[str], experiment_id: str, frame: bytes) -> None:
        """Queues a frame for the I/O thread: a result (with its message id) or progress (None)."""
        self._outgoing.put((result_message_id, experiment_id, frame))
        self._waker.wake()

    def _drain_outgoing(self, now: float) -> None:
        while True:
            try:
                message_id, experiment_id, frame = self._outgoing.get_nowait()
            except queue.Empty:
                return
            if message_id is None:
                if self._registration.registered:
                    self._socket_send(frame)
                continue
            self._jobs.pop(experiment_id, None)
            if experiment_id in self._unwanted:
                self._unwanted.discard(experiment_id)
                self.outbox.remove(message_id)
                self.logger.info("dropped the result of cancelled experiment=%s", experiment_id)
                continue
            self._unacked[message_id] = _Pending(experiment_id, frame, now + self.resend_interval,
                                                 self.resend_interval * 2)
            if self._registration.registered:
                self._socket_send(frame)
            self.logger.info("result sent experiment=%s message_id=%s", experiment_id, message_id)

    def _send(self, body_field: str, body: Message) -> None:
        envelope = self._envelopes.make(body_field, body)
        self._socket_send(envelope.SerializeToString())

    def _socket_send(self, frame: bytes) -> None:
        assert self._socket is not None
        try:
            self._socket.send(frame, zmq.NOBLOCK)
        except zmq.Again:
            self.logger.warning("message not sent: not connected, or the send queue is full (results are resent)")

    def _say_goodbye(self) -> None:
        if self._jobs:
            self.logger.warning("stopping with %d experiments still running: they will be marked for review",
                                len(self._jobs))
        if self._unacked:
            self.logger.warning("stopping with %d unacknowledged results; they stay in %s and are resent on the next start",
                                len(self._unacked), self.outbox.directory)
        if self._registration.registered:
            self._send("disconnect", agent_pb2.Disconnect(reason="agent stopping"))

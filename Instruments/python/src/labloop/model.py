"""A model service: registers strategies, learns from every recorded result, answers proposal requests."""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import zmq
from google.protobuf.message import Message

from .connection import Connection, PeerSocket
from .errors import ConfigurationError
from .events import GapFiller
from .session import Registration, Service, handle_refusal_or_goodbye
from .space import Space
from .v1 import agent_pb2, common_pb2, envelope_pb2, events_pb2, model_pb2
from .wire import EnvelopeMaker, Scalar, decode, to_dict

__all__ = ["Candidate", "ModelService", "Observation", "ProposalContext", "Strategy"]


@dataclass(frozen=True)
class Observation:
    """One recorded result (a ``result_recorded`` event)."""

    experiment_id: str
    attempt: int
    parameters: Dict[str, Scalar]
    measurements: Dict[str, Scalar]
    succeeded: bool
    failure_kind: str
    instrument_id: str
    seq: int


@dataclass(frozen=True)
class Candidate:
    """A point to propose, with optional predictions (informational for the coordinator)."""

    parameters: Mapping[str, Scalar]
    predicted_mean: Optional[float] = None
    predicted_std: Optional[float] = None
    acquisition: Optional[float] = None


@dataclass(frozen=True)
class ProposalContext:
    """Everything a strategy needs to answer one proposal request."""

    campaign_id: str
    request_id: str
    spec: common_pb2.CampaignSpec
    space: Space
    count: int
    pending: List[Dict[str, Scalar]]
    observations: List[Observation]
    proposed_so_far: int
    rejected_so_far: int

    @property
    def objective(self) -> str:
        return self.spec.objective.measurement

    @property
    def maximize(self) -> bool:
        return self.spec.objective.direction != common_pb2.DIRECTION_MINIMIZE

    @property
    def seed(self) -> int:
        return self.spec.strategy.seed

    @property
    def settings(self) -> Dict[str, str]:
        return dict(self.spec.strategy.settings)

    def training_data(self) -> Tuple[List[Dict[str, Scalar]], List[float]]:
        """Parameters and objective values of the successful results, in the order they were recorded."""
        points, values = [], []
        for observation in self.observations:
            value = observation.measurements.get(self.objective)
            if observation.succeeded and isinstance(value, (int, float)):
                points.append(observation.parameters)
                values.append(float(value))
        return points, values


Strategy = Callable[[ProposalContext], Iterable[Union[Candidate, Mapping[str, Scalar]]]]


@dataclass
class _Request:
    message_id: str
    request: model_pb2.ProposalRequest
    deadline: float


class ModelService(Service):
    """Serves proposal strategies to the coordinator (protocol.md §7–8).

    On start it registers the strategy names, follows the event stream from ``after_seq`` (0: the
    whole history), filling any gap from the catch-up socket, and keeps every ``result_recorded``
    as an :class:`Observation`. A proposal request waits (up to ``catch_up_wait`` seconds) until the
    results it was made after are known, then runs the campaign's strategy on a worker thread, so
    heartbeats continue while a model fits. ``on_event`` (optional) sees every event in seq order,
    on the I/O thread: keep it quick.
    """

    def __init__(self, connection: Connection, strategies: Mapping[str, Strategy], *, model_id: Optional[str] = None,
                 model_version: str = "python 0.1", campaigns: Sequence[str] = (), after_seq: int = 0,
                 on_event: Optional[Callable[[events_pb2.Event], None]] = None, catch_up_wait: float = 3.0,
                 logger: Optional[logging.Logger] = None) -> None:
        self.model_id = connection.sender(model_id, "model id")
        super().__init__(f"labloop-model-{self.model_id}", logger or logging.getLogger("labloop.model"))
        if not strategies or any(not name for name in strategies):
            raise ConfigurationError("a model service needs at least one strategy, each with a name")
        self.connection = connection
        self.strategies = dict(strategies)
        self.model_version = model_version
        self.campaigns = list(campaigns)
        self.on_event = on_event
        self.catch_up_wait = catch_up_wait
        self._stream = GapFiller(after_seq)
        self._envelopes = EnvelopeMaker(self.model_id)
        self._registration = Registration(time.monotonic())
        self._observations: Dict[str, List[Observation]] = {}
        self._lock = threading.Lock()
        self._waiting: List[_Request] = []
        self._work: "queue.SimpleQueue[Optional[Tuple[str, ProposalContext]]]" = queue.SimpleQueue()
        self._answers: "queue.SimpleQueue[bytes]" = queue.SimpleQueue()
        self._models: Optional[zmq.Socket] = None
        self._catch_up: Optional[zmq.Socket] = None

    @property
    def last_seq(self) -> int:
        """The last event seq applied."""
        return self._stream.last

    @property
    def registered(self) -> bool:
        return self._registration.registered

    def observations(self, campaign_id: str) -> List[Observation]:
        """The results recorded so far for a campaign (a copy; safe from any thread)."""
        with self._lock:
            return list(self._observations.get(campaign_id, ()))

    # The I/O thread.

    def _serve(self) -> None:
        context = zmq.Context()
        links: List[PeerSocket] = []
        worker = threading.Thread(target=self._propose_loop, name=f"{self.name}-strategy", daemon=True)
        try:
            endpoints = self.connection.endpoints
            for kind, endpoint, subscriptions in ((zmq.SUB, endpoints.events, (b"ev/", b"hb")),
                                                  (zmq.DEALER, endpoints.catch_up, ()),
                                                  (zmq.DEALER, endpoints.models, ())):
                links.append(PeerSocket(self.connection, context, kind, endpoint, subscriptions, self.logger))
            events, self._catch_up, self._models = (link.socket for link in links)
            poller = zmq.Poller()
            for sock in (events, self._catch_up, self._models, self._waker):
                poller.register(sock, zmq.POLLIN)
            worker.start()
            while not self._stopping.is_set():
                now = time.monotonic()
                for link in links:
                    link.check(now)
                self._maintain(now)
                timeout = min(0.1, self._registration.seconds_until_due(now))
                for sock, _ in poller.poll(max(1, int(timeout * 1000))):
                    if isinstance(sock, zmq.Socket):
                        self._receive_all(sock, events)
                    else:  # the waker's file descriptor
                        self._waker.drain()
            if self._registration.registered:
                self._send(self._models, "disconnect", agent_pb2.Disconnect(reason="model service stopping"))
        finally:
            self._work.put(None)
            if worker.is_alive():
                worker.join(5.0)
            for link in links:
                link.close()
            context.term()

    def _maintain(self, now: float) -> None:
        hello, heartbeat = self._registration.due(now, self.logger)
        if hello:
            self._envelopes.restart_session()
            self._send(self._models, "model_hello", model_pb2.ModelHello(
                model_id=self.model_id, model_version=self.model_version, strategies=sorted(self.strategies),
                campaigns=self.campaigns))
            self._registration.hello_sent(now)
        if heartbeat:
            self._send(self._models, "heartbeat", agent_pb2.Heartbeat())
        request = self._stream.request(now)
        if request is not None:
            message_id = self._send(self._catch_up, "catch_up_request", request)
            self._stream.sent(message_id, now)
        self._dispatch_ready(now)
        while True:
            try:
                frame = self._answers.get_nowait()
            except queue.Empty:
                break
            self._socket_send(self._models, frame)

    def _receive_all(self, sock: zmq.Socket, events: zmq.Socket) -> None:
        while True:
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            expected = 2 if sock is events else 1
            envelope = decode(frames[-1]) if len(frames) == expected else None
            if envelope is None:
                self.logger.warning("ignored a malformed message from the coordinator (%d frames)", len(frames))
                continue
            if sock is self._models:
                self._registration.heard(time.monotonic())
            self._handle(envelope)

    def _handle(self, envelope: envelope_pb2.Envelope) -> None:
        body = envelope.WhichOneof("body")
        if body == "event":
            self._apply(self._stream.live(envelope.event))
        elif body == "stream_heartbeat":
            self._stream.announced(envelope.stream_heartbeat.latest_seq)
        elif body == "catch_up_response":
            self._apply(self._stream.response(envelope.correlation_id, envelope.catch_up_response))
        elif body == "heartbeat":
            self._stream.announced(envelope.heartbeat.latest_seq)
        elif body == "model_welcome":
            welcome = envelope.model_welcome
            self._registration.welcomed(time.monotonic(), welcome.heartbeat_interval_ms, welcome.liveness_timeout_ms)
            self._stream.announced(welcome.latest_seq)
            self.logger.info("registered session=%s latest_seq=%d", welcome.session_id, welcome.latest_seq)
        elif body == "proposal_request":
            request = envelope.proposal_request
            self.logger.info("proposal request campaign=%s count=%d as_of_seq=%d", request.campaign_id,
                             request.count, request.as_of_seq)
            self._waiting.append(_Request(envelope.message_id, request, time.monotonic() + self.catch_up_wait))
        elif body == "proposal_ack":
            ack = envelope.proposal_ack
            for rejected in ack.rejected:
                self.logger.warning("candidate rejected candidate=%s code=%s reason=%s", rejected.candidate_id,
                                    common_pb2.ErrorCode.Name(rejected.code), rejected.reason)
            self.logger.info("proposal acknowledged accepted=%d rejected=%d", len(ack.accepted), len(ack.rejected))
        else:
            handle_refusal_or_goodbye(envelope, self._registration, self.logger)

    def _apply(self, events: List[events_pb2.Event]) -> None:
        for event in events:
            if event.WhichOneof("kind") == "result_recorded":
                self._record(event)
            if self.on_event is not None:
                try:
                    self.on_event(event)
                except Exception:  # the user's callback: report it, keep following the stream
                    self.logger.exception("on_event raised for event seq=%d", event.seq)

    def _record(self, event: events_pb2.Event) -> None:
        result = event.result_recorded
        try:
            observation = Observation(
                experiment_id=result.experiment_id, attempt=result.attempt, parameters=to_dict(result.parameters),
                measurements=to_dict(result.measurements), succeeded=result.outcome == common_pb2.OUTCOME_SUCCEEDED,
                failure_kind=result.failure.kind, instrument_id=result.instrument_id, seq=event.seq)
        except ConfigurationError as error:
            self.logger.error("ignored an unreadable result experiment=%s: %s", result.experiment_id, error)
            return
        with self._lock:
            self._observations.setdefault(event.campaign_id, []).append(observation)

    def _dispatch_ready(self, now: float) -> None:
        still_waiting = []
        for waiting in self._waiting:
            caught_up = self._stream.last >= waiting.request.as_of_seq
            if not caught_up and now < waiting.deadline:
                still_waiting.append(waiting)
                continue
            if not caught_up:
                self.logger.warning("proposing before catching up last_seq=%d as_of_seq=%d", self._stream.last,
                                    waiting.request.as_of_seq)
            request = waiting.request
            try:
                context = ProposalContext(
                    campaign_id=request.campaign_id, request_id=request.request_id, spec=request.spec,
                    space=Space.from_proto(request.spec.space), count=request.count,
                    pending=[to_dict(p.parameters) for p in request.pending],
                    observations=self.observations(request.campaign_id), proposed_so_far=request.proposed_so_far,
                    rejected_so_far=request.rejected_so_far)
            except ConfigurationError as error:
                self.logger.error("unreadable proposal request campaign=%s: %s; answering with no candidates",
                                  request.campaign_id, error)
                self._answers.put(self._envelopes.make("proposals", model_pb2.Proposals(
                    request_id=request.request_id, campaign_id=request.campaign_id, model_id=self.model_id,
                    model_version=self.model_version), correlation_id=waiting.message_id).SerializeToString())
                continue
            self._work.put((waiting.message_id, context))
        self._waiting = still_waiting

    # The strategy thread.

    def _propose_loop(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            message_id, context = item
            proposals = self._propose(context)
            frame = self._envelopes.make("proposals", proposals, correlation_id=message_id).SerializeToString()
            self._answers.put(frame)
            self._waker.wake()

    def _propose(self, context: ProposalContext) -> model_pb2.Proposals:
        proposals = model_pb2.Proposals(request_id=context.request_id, campaign_id=context.campaign_id,
                                        model_id=self.model_id, model_version=self.model_version,
                                        training_observations=len(context.training_data()[1]))
        name = context.spec.strategy.name
        strategy = self.strategies.get(name)
        if strategy is None:
            self.logger.error("campaign %s asks for strategy %r, which this service does not serve (it serves %s)",
                              context.campaign_id, name, sorted(self.strategies))
            return proposals
        try:
            produced = list(strategy(context))
        except Exception:
            self.logger.exception("strategy %r failed for campaign %s; answering with no candidates", name,
                                  context.campaign_id)
            return proposals
        for index, item in enumerate(produced[:context.count]):
            candidate = item if isinstance(item, Candidate) else Candidate(parameters=item)
            try:
                parameters = context.space.encode(candidate.parameters)
            except ConfigurationError as error:
                self.logger.error("strategy %r proposed an unusable candidate %s: %s", name,
                                  dict(candidate.parameters), error)
                continue
            wire = proposals.candidates.add(candidate_id=f"c{context.proposed_so_far + index + 1}")
            wire.parameters.extend(parameters)
            for field in ("predicted_mean", "predicted_std", "acquisition"):
                value = getattr(candidate, field)
                # The coordinator refuses a candidate with a non-finite or negative-std prediction: drop those.
                if value is not None and math.isfinite(value) and not (field == "predicted_std" and value < 0):
                    setattr(wire, field, float(value))
        self.logger.info("proposing campaign=%s candidates=%d observations=%d", context.campaign_id,
                         len(proposals.candidates), proposals.training_observations)
        return proposals

    def _send(self, sock: Optional[zmq.Socket], body_field: str, body: Message) -> str:
        envelope = self._envelopes.make(body_field, body)
        self._socket_send(sock, envelope.SerializeToString())
        return envelope.message_id

    def _socket_send(self, sock: Optional[zmq.Socket], frame: bytes) -> None:
        assert sock is not None
        try:
            sock.send(frame, zmq.NOBLOCK)
        except zmq.Again:
            self.logger.warning("message not sent: not connected, or the send queue is full (it is asked for again)")

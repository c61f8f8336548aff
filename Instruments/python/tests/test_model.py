"""The ModelService against fake coordinator sockets: registration, catch-up, gap fill, proposals."""

from __future__ import annotations

import time
import unittest
from typing import List

import support  # noqa: F401  (puts the SDK on sys.path)
import zmq

from labloop import Candidate, Connection, Endpoints, ModelService, ProposalContext
from labloop.v1 import common_pb2, envelope_pb2, events_pb2, model_pb2
from labloop.wire import named_values
from support import FakeCoordinator, wait_until


def result_event(seq: int, x: float, y: float) -> events_pb2.Event:
    return events_pb2.Event(seq=seq, campaign_id="c1", result_recorded=events_pb2.ResultRecorded(
        experiment_id=f"c1-{seq}", attempt=1, outcome=common_pb2.OUTCOME_SUCCEEDED,
        parameters=named_values({"x": x, "n": 2, "fixed": "on"}), measurements=named_values({"yield": y})))


def spec(strategy: str) -> common_pb2.CampaignSpec:
    return common_pb2.CampaignSpec(
        name="t", objective=common_pb2.Objective(measurement="yield", direction=common_pb2.DIRECTION_MAXIMIZE),
        strategy=common_pb2.Strategy(name=strategy, seed=7),
        space=common_pb2.ParameterSpace(parameters=[
            common_pb2.Parameter(name="x", continuous=common_pb2.ContinuousParameter(low=0, high=1)),
            common_pb2.Parameter(name="n", integer=common_pb2.IntegerParameter(low=1, high=3)),
            common_pb2.Parameter(name="fixed", fixed=common_pb2.FixedParameter(value=common_pb2.Value(category="on")))]))


class ModelServiceTests(unittest.TestCase):
    def setUp(self) -> None:
        self.models, self.catch_up = FakeCoordinator(), FakeCoordinator()
        self.addCleanup(self.models.close)
        self.addCleanup(self.catch_up.close)
        self.context = zmq.Context()
        self.pub = self.context.socket(zmq.PUB)
        self.pub.setsockopt(zmq.LINGER, 0)
        port = self.pub.bind_to_random_port("tcp://127.0.0.1")
        self.addCleanup(self.context.term)
        self.addCleanup(self.pub.close)
        self.seen: List[ProposalContext] = []
        endpoints = Endpoints(models=self.models.endpoint, catch_up=self.catch_up.endpoint,
                              events=f"tcp://127.0.0.1:{port}")
        self.service = ModelService(Connection(endpoints=endpoints),
                                    {"good": self.propose, "broken": self.broken}, model_id="m1",
                                    model_version="test 1")
        self.service.start()
        self.addCleanup(self.service.stop)

    def propose(self, context: ProposalContext):
        self.seen.append(context)
        return [Candidate({"x": 0.25, "n": 3.0}, predicted_mean=1.5, predicted_std=float("nan")), {"x": 0.5, "n": 1},
                {"x": 2.0, "n": "many"}]

    def broken(self, context: ProposalContext):
        raise RuntimeError("model crashed")

    def answer_catch_up(self, events: List[events_pb2.Event], latest: int) -> events_pb2.CatchUpRequest:
        request = self.catch_up.receive(want="catch_up_request")
        self.catch_up.send("catch_up_response", events_pb2.CatchUpResponse(events=events, latest_seq=latest),
                           correlation_id=request.message_id)
        return request.catch_up_request

    def request(self, strategy: str) -> envelope_pb2.Envelope:
        self.models.send("proposal_request", model_pb2.ProposalRequest(
            request_id=f"q-{strategy}", campaign_id="c1", spec=spec(strategy), count=2, as_of_seq=2))
        return self.models.receive(want="proposals")

    def test_registers_catches_up_and_proposes_with_the_results(self) -> None:
        hello = self.models.receive(want="model_hello")
        self.assertEqual((hello.sender, list(hello.model_hello.strategies)), ("m1", ["broken", "good"]))
        self.models.send("model_welcome", model_pb2.ModelWelcome(session_id="s", latest_seq=2),
                         correlation_id=hello.message_id)
        first = self.answer_catch_up([events_pb2.Event(seq=1, campaign_id="c1"), result_event(2, 0.3, 7.0)], 2)
        self.assertEqual(first.after_seq, 0)
        self.assertTrue(wait_until(lambda: self.service.last_seq == 2))
        answer = self.request("good")
        proposals = answer.proposals
        self.assertEqual(proposals.request_id, "q-good")
        self.assertEqual(answer.sender, "m1")
        self.assertEqual(len(self.seen[0].observations), 1)
        self.assertEqual(self.seen[0].training_data(), ([{"x": 0.3, "n": 2, "fixed": "on"}], [7.0]))
        self.assertEqual(proposals.training_observations, 1)
        self.assertEqual([c.candidate_id for c in proposals.candidates], ["c1", "c2"], "the unusable third is dropped")
        first_candidate = {v.name: v.value for v in proposals.candidates[0].parameters}
        self.assertEqual(first_candidate["n"].integer, 3)
        self.assertEqual(first_candidate["fixed"].category, "on", "fixed parameters are filled in")
        self.assertTrue(proposals.candidates[0].HasField("predicted_mean"))
        self.assertFalse(proposals.candidates[0].HasField("predicted_std"), "a NaN prediction is left out")

    def test_a_gap_in_the_live_stream_is_filled_from_catch_up(self) -> None:
        hello = self.models.receive(want="model_hello")
        self.models.send("model_welcome", model_pb2.ModelWelcome(session_id="s", latest_seq=0),
                         correlation_id=hello.message_id)
        self.answer_catch_up([], 0)
        deadline = time.monotonic() + 5
        while self.service.last_seq < 2 and time.monotonic() < deadline:  # until the subscription is live
            self.pub.send_multipart([b"ev/c1", envelope_pb2.Envelope(
                protocol_version=1, message_id="e", sender="coordinator", event=events_pb2.Event(seq=2)).SerializeToString()])
            try:
                request = self.catch_up.receive(want="catch_up_request", timeout=0.1)
            except AssertionError:
                continue
            self.assertEqual(request.catch_up_request.after_seq, 0, "seq 1 is missing: catch up after 0")
            self.catch_up.send("catch_up_response", events_pb2.CatchUpResponse(
                events=[result_event(1, 0.1, 1.0), result_event(2, 0.2, 2.0)], latest_seq=2),
                correlation_id=request.message_id)
        self.assertTrue(wait_until(lambda: self.service.last_seq == 2))
        self.assertEqual([o.seq for o in self.service.observations("c1")], [1, 2], "each event once, in order")

    def test_a_failing_strategy_answers_with_no_candidates(self) -> None:
        hello = self.models.receive(want="model_hello")
        self.models.send("model_welcome", model_pb2.ModelWelcome(session_id="s", latest_seq=2),
                         correlation_id=hello.message_id)
        self.answer_catch_up([result_event(1, 0.3, 7.0), result_event(2, 0.4, 8.0)], 2)
        with self.assertLogs("labloop.model", "ERROR") as logs:
            self.assertEqual(len(self.request("broken").proposals.candidates), 0)
            self.assertEqual(len(self.request("unknown").proposals.candidates), 0)
        self.assertIn("strategy 'broken' failed", "\n".join(logs.output))
        self.assertIn("does not serve", "\n".join(logs.output))
        self.models.send("error", common_pb2.ErrorReply(code=common_pb2.ERROR_CODE_NOT_REGISTERED))
        self.assertEqual(self.models.receive(want="model_hello").sender, "m1", "NOT_REGISTERED: hello again")


if __name__ == "__main__":
    unittest.main()

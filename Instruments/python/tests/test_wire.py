"""Values, parameter spaces, the outbox, the gap filler and registration timing: no sockets."""

from __future__ import annotations

import os
import unittest

import support  # noqa: F401  (puts the SDK on sys.path)

from labloop import ConfigurationError, Space
from labloop.events import GapFiller
from labloop.outbox import Outbox
from labloop.session import Registration
from labloop.v1 import agent_pb2, common_pb2, events_pb2
from labloop.wire import EnvelopeMaker, decode, named_values, to_dict, to_value
from support import temporary_directory


def space() -> Space:
    p = common_pb2.ParameterSpace(parameters=[
        common_pb2.Parameter(name="t", continuous=common_pb2.ContinuousParameter(low=1, high=10, scale=common_pb2.SCALE_LOG)),
        common_pb2.Parameter(name="n", integer=common_pb2.IntegerParameter(low=0, high=8, step=2)),
        common_pb2.Parameter(name="c", categorical=common_pb2.CategoricalParameter(values=["a", "b"])),
        common_pb2.Parameter(name="p", fixed=common_pb2.FixedParameter(value=common_pb2.Value(integer=3))),
    ], constraints=[common_pb2.LinearConstraint(terms=[common_pb2.LinearTerm(parameter="t", coefficient=1),
                                                       common_pb2.LinearTerm(parameter="n", coefficient=1)],
                                                relation=common_pb2.RELATION_LESS_EQUAL, bound=12)])
    return Space.from_proto(p)


class ValueTests(unittest.TestCase):
    def test_python_values_map_to_the_value_kinds(self) -> None:
        self.assertEqual(to_value(3).WhichOneof("kind"), "integer")
        self.assertEqual(to_value(3.0).WhichOneof("kind"), "real")
        self.assertEqual(to_value("Pd").category, "Pd")
        for bad in (True, float("nan"), float("inf"), None, [1]):
            with self.subTest(bad=bad), self.assertRaises(ConfigurationError):
                to_value(bad)  # type: ignore[arg-type]

    def test_named_values_round_trip_and_refuse_repeats_and_empty_values(self) -> None:
        values = {"yield": 0.5, "cycles": 3, "catalyst": "Pd"}
        self.assertEqual(to_dict(named_values(values)), values)
        repeated = named_values({"x": 1}) + named_values({"x": 2})
        with self.assertRaisesRegex(ConfigurationError, "'x' appears twice"):
            to_dict(repeated)
        with self.assertRaisesRegex(ConfigurationError, "'y': a value with no kind"):
            to_dict([common_pb2.NamedValue(name="y")])


class SpaceTests(unittest.TestCase):
    def test_encode_uses_each_parameters_kind_and_fills_fixed_values(self) -> None:
        encoded = {v.name: v.value for v in space().encode({"t": 2, "n": 4.0, "c": "a"})}
        self.assertEqual(list(encoded), ["t", "n", "c", "p"])
        self.assertEqual(encoded["t"].WhichOneof("kind"), "real")  # an int for a continuous parameter
        self.assertEqual(encoded["n"].integer, 4)                   # a whole float for an integer one
        self.assertEqual(encoded["p"].integer, 3)                   # the fixed value, same kind

    def test_encode_refuses_what_the_coordinator_would_reject(self) -> None:
        cases = [({"t": 2, "n": 4.5, "c": "a"}, "round 4.5 first"),
                 ({"t": 2, "n": 4, "c": 1}, "'c' is categorical"),
                 ({"t": 2, "c": "a"}, "'n' is missing"),
                 ({"t": 2, "n": 4, "c": "a", "z": 1}, r"unknown parameters \['z'\]"),
                 ({"t": "hot", "n": 4, "c": "a"}, "give a number")]
        for point, message in cases:
            with self.subTest(point=point), self.assertRaisesRegex(ConfigurationError, message):
                space().encode(point)  # type: ignore[arg-type]

    def test_constraints_and_reading_the_space(self) -> None:
        s = space()
        self.assertTrue(s.feasible({"t": 4, "n": 8}))
        self.assertFalse(s.feasible({"t": 5, "n": 8}))
        t, n, c, p = s.parameters
        self.assertTrue(t.log)
        self.assertEqual((n.low, n.high, n.step), (0, 8, 2))
        self.assertEqual(c.values, ("a", "b"))
        self.assertEqual(p.value, 3)


class OutboxTests(unittest.TestCase):
    def test_results_survive_until_removed_and_foreign_files_are_left_alone(self) -> None:
        directory = temporary_directory(self)
        maker = EnvelopeMaker("reactor-1")
        envelope = maker.make("result", agent_pb2.ExperimentResult(experiment_id="e-1", attempt=1))
        Outbox(directory).put(envelope.message_id, envelope.SerializeToString())
        with open(os.path.join(directory, "junk.envelope"), "wb") as handle:
            handle.write(b"\xff\xff not protobuf")
        with self.assertLogs("labloop.outbox", "ERROR"):
            entries = Outbox(directory).entries()  # a new instance: as after a restart
        self.assertEqual([(e.message_id, e.experiment_id) for e in entries], [(envelope.message_id, "e-1")])
        self.assertEqual(decode(entries[0].frame), envelope)
        Outbox(directory).remove(envelope.message_id)
        with self.assertLogs("labloop.outbox", "ERROR"):
            self.assertEqual(Outbox(directory).entries(), [])
        self.assertTrue(os.path.exists(os.path.join(directory, "junk.envelope")))


def event(seq: int) -> events_pb2.Event:
    return events_pb2.Event(seq=seq, campaign_id="c1")


class GapFillerTests(unittest.TestCase):
    def test_catches_up_first_then_applies_live_events_in_order(self) -> None:
        filler = GapFiller(after_seq=0)
        request = filler.request(now=0)
        assert request is not None
        self.assertEqual(request.after_seq, 0)
        filler.sent("q1", now=0)
        self.assertIsNone(filler.request(now=1), "one request at a time")
        self.assertEqual([e.seq for e in filler.live(event(1))], [1], "the next seq is applied at once")
        applied = filler.response("q1", events_pb2.CatchUpResponse(events=[event(1), event(2), event(3)], latest_seq=3))
        self.assertEqual([e.seq for e in applied], [2, 3], "nothing twice")
        self.assertIsNone(filler.request(now=1))
        self.assertEqual(filler.live(event(3)), [])
        self.assertEqual([e.seq for e in filler.live(event(4))], [4])

    def test_a_gap_or_a_newer_heartbeat_triggers_a_catch_up_and_pages_continue(self) -> None:
        filler = GapFiller(after_seq=10)
        filler.sent("q0", now=0)
        filler.response("q0", events_pb2.CatchUpResponse(latest_seq=10))
        self.assertEqual(filler.live(event(12)), [], "seq 11 was dropped by PUB")
        request = filler.request(now=1)
        assert request is not None
        self.assertEqual(request.after_seq, 10)
        filler.sent("q1", now=1)
        filler.response("q1", events_pb2.CatchUpResponse(events=[event(11)], latest_seq=12, more=True))
        request = filler.request(now=1)
        assert request is not None
        self.assertEqual(request.after_seq, 11, "while more is true, ask after the last returned seq")
        filler.sent("q2", now=1)
        filler.response("q2", events_pb2.CatchUpResponse(events=[event(12)], latest_seq=12))
        self.assertIsNone(filler.request(now=2))
        filler.announced(12)
        self.assertIsNone(filler.request(now=2))
        filler.announced(13)
        self.assertIsNotNone(filler.request(now=2), "a heartbeat ahead of us means we missed the tail")

    def test_an_unanswered_request_is_asked_again_after_the_timeout(self) -> None:
        filler = GapFiller(timeout=5)
        filler.request(now=0)
        filler.sent("q1", now=0)
        self.assertIsNone(filler.request(now=4.9))
        self.assertIsNotNone(filler.request(now=5.1))


class RegistrationTests(unittest.TestCase):
    def test_hello_until_welcomed_then_heartbeats_and_silence_means_hello_again(self) -> None:
        r = Registration(now=0)
        self.assertTrue(r.hello_due(0))
        r.hello_sent(0)
        self.assertFalse(r.hello_due(1.9))
        self.assertTrue(r.hello_due(2.0))
        r.welcomed(2.0, heartbeat_interval_ms=500, liveness_timeout_ms=3000)
        self.assertFalse(r.hello_due(2.1))
        self.assertFalse(r.heartbeat_due(2.4))
        self.assertTrue(r.heartbeat_due(2.5))
        self.assertFalse(r.heartbeat_due(2.6))
        r.heard(4.0)
        self.assertFalse(r.coordinator_silent(7.0))
        self.assertTrue(r.coordinator_silent(7.1))
        r.lost()
        self.assertTrue(r.hello_due(7.1), "after NOT_REGISTERED the hello goes out at once")


if __name__ == "__main__":
    unittest.main()

"""The Agent against a fake coordinator socket: registration, assignments, outbox and resends."""

from __future__ import annotations

import os
import threading
import unittest
from typing import List

import support  # noqa: F401  (puts the SDK on sys.path)

from labloop import Agent, Connection, Endpoints, ExperimentFailed, Job, Operation
from labloop.outbox import Outbox
from labloop.v1 import agent_pb2, common_pb2
from labloop.wire import EnvelopeMaker, named_values
from support import FakeCoordinator, temporary_directory, wait_until


class AgentTests(unittest.TestCase):
    def setUp(self) -> None:
        self.fake = FakeCoordinator()
        self.addCleanup(self.fake.close)
        self.outbox = temporary_directory(self)
        self.jobs: List[Job] = []
        self.release = threading.Event()
        self.release.set()

    def run_job(self, job: Job):
        self.jobs.append(job)
        self.release.wait(5)
        if job.parameters.get("fail"):
            raise ExperimentFailed("transient", "simulated")
        return {"yield": float(job.parameters["x"]) * 2, "count": 7}

    def start_agent(self, capacity: int = 1) -> Agent:
        agent = Agent(Connection(endpoints=Endpoints(agents=self.fake.endpoint)), self.run_job, instrument_id="r1",
                      kind="test", operations=[Operation("react", ["yield"], repeatable=True)], capacity=capacity,
                      outbox=self.outbox, resend_interval=0.3, max_resend_interval=0.3, stop_grace=1.0)
        agent.start()
        self.addCleanup(lambda: agent.stop() if agent.running else None)
        return agent

    def register(self, cancel=()) -> agent_pb2.AgentHello:
        hello = self.fake.receive(want="agent_hello")
        self.fake.send("agent_welcome", agent_pb2.AgentWelcome(session_id="s", heartbeat_interval_ms=1000,
                                                               liveness_timeout_ms=5000, cancel=list(cancel)),
                       correlation_id=hello.message_id)
        return hello.agent_hello

    def assign(self, experiment_id: str, operation: str = "react", **parameters) -> None:
        self.fake.send("assignment", agent_pb2.Assignment(
            experiment_id=experiment_id, attempt=1, campaign_id="c", operation=operation,
            parameters=named_values(parameters), measurements=["yield"]))

    def outbox_files(self) -> List[str]:
        return sorted(name for name in os.listdir(self.outbox) if name.endswith(".envelope"))

    def test_registers_runs_an_assignment_and_keeps_the_result_until_acknowledged(self) -> None:
        self.start_agent()
        hello = self.register()
        self.assertEqual((hello.instrument_id, hello.kind, hello.capacity, list(hello.in_flight)), ("r1", "test", 1, []))
        self.assertEqual([op.name for op in hello.operations], ["react"])
        self.assertTrue(hello.operations[0].repeatable)
        self.assign("e1", x=1.5)
        accepted = self.fake.receive(want="assignment_accepted")
        self.assertEqual(accepted.assignment_accepted.experiment_id, "e1")
        result = self.fake.receive(want="result")
        self.assertEqual(self.jobs[0].parameters, {"x": 1.5})
        self.assertEqual(result.result.outcome, common_pb2.OUTCOME_SUCCEEDED)
        measured = {m.name: m.value for m in result.result.measurements}
        self.assertEqual(measured["yield"].real, 3.0)
        self.assertEqual(measured["count"].integer, 7)
        self.assertEqual(len(self.outbox_files()), 1, "durable before the first send")
        again = self.fake.receive(want="result", timeout=3)
        self.assertEqual(again.SerializeToString(), result.SerializeToString(), "a resend is the same bytes")
        self.fake.send("result_ack", agent_pb2.ResultAck(experiment_id="e1", status=agent_pb2.ACK_STATUS_STORED),
                       correlation_id=result.message_id)
        self.assertTrue(wait_until(lambda: self.outbox_files() == []), "acknowledged results leave the outbox")

    def test_a_restarted_agent_lists_and_resends_its_outbox_and_registers_again_on_not_registered(self) -> None:
        earlier = EnvelopeMaker("r1").make("result", agent_pb2.ExperimentResult(
            experiment_id="e9", attempt=1, outcome=common_pb2.OUTCOME_SUCCEEDED))
        Outbox(self.outbox).put(earlier.message_id, earlier.SerializeToString())
        self.start_agent()
        hello = self.register()
        self.assertEqual(list(hello.in_flight), ["e9"], "an unacknowledged result is still in flight")
        resent = self.fake.receive(want="result")
        self.assertEqual(resent.SerializeToString(), earlier.SerializeToString())
        self.fake.send("error", common_pb2.ErrorReply(code=common_pb2.ERROR_CODE_NOT_REGISTERED, reason="who?"),
                       correlation_id=resent.message_id)
        hello = self.register()
        self.assertEqual(list(hello.in_flight), ["e9"])
        self.assertEqual(self.fake.receive(want="result").message_id, earlier.message_id)
        self.fake.send("result_ack", agent_pb2.ResultAck(experiment_id="e9", status=agent_pb2.ACK_STATUS_DUPLICATE),
                       correlation_id=earlier.message_id)
        self.assertTrue(wait_until(lambda: self.outbox_files() == []))

    def test_a_welcome_cancels_unwanted_results(self) -> None:
        unwanted = EnvelopeMaker("r1").make("result", agent_pb2.ExperimentResult(experiment_id="e5", attempt=1))
        Outbox(self.outbox).put(unwanted.message_id, unwanted.SerializeToString())
        self.start_agent()
        self.register(cancel=["e5"])
        self.assertTrue(wait_until(lambda: self.outbox_files() == []))

    def test_repeats_declines_and_failures(self) -> None:
        self.release.clear()
        self.start_agent(capacity=1)
        self.register()
        self.assign("e1", x=1)
        self.fake.receive(want="assignment_accepted")
        self.assign("e1", x=1)
        self.assertEqual(self.fake.receive(want="assignment_accepted").assignment_accepted.experiment_id, "e1",
                         "a repeated assignment is accepted again")
        self.assign("e2", x=2)
        self.assertEqual(self.fake.receive(want="assignment_declined").assignment_declined.reason, "at capacity")
        self.assign("e3", operation="weigh", x=2)
        self.assertIn("'weigh' is not offered", self.fake.receive(want="assignment_declined").assignment_declined.reason)
        self.release.set()
        self.fake.receive(want="result")
        self.assertEqual(len(self.jobs), 1, "never run twice")
        self.assign("e4", fail=1)
        failed = self.fake.receive(want="result").result
        self.assertEqual((failed.outcome, failed.failure.kind), (common_pb2.OUTCOME_FAILED, "transient"))

    def test_stop_waits_for_acknowledgements_then_disconnects(self) -> None:
        agent = self.start_agent()
        self.register()
        self.assign("e1", x=1)
        result = self.fake.receive(want="result")
        stopper = threading.Thread(target=agent.stop)
        stopper.start()
        self.fake.send("result_ack", agent_pb2.ResultAck(experiment_id="e1", status=agent_pb2.ACK_STATUS_STORED),
                       correlation_id=result.message_id)
        self.assertEqual(self.fake.receive(want="disconnect").disconnect.reason, "agent stopping")
        stopper.join(5)
        self.assertFalse(agent.running)
        self.assertEqual(self.outbox_files(), [])


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""A simulated instrument in Python: a toy reactor whose yield is a known function of its settings.

    python3 sim_instrument.py --coordinator-file lab/coordinator.json --id py-reactor-1

Replace ``toy_reactor`` with calls to your robot or instrument (PyLabRobot, Opentrons, a vendor
SDK): it receives the experiment's parameters and returns the measurements by name. The C example
(``Instruments/c/examples/sim_instrument.c``) computes the same function.
"""

from __future__ import annotations

import argparse
import math
import time

from labloop import Agent, ConfigurationError, ExperimentFailed, Job, Limit, Operation, run_until_signalled
from labloop.cli import add_connection_arguments, configure_logging, connection_from_arguments, exit_on_configuration_error

CATALYST_FACTOR = {"A": 1.0, "B": 0.8, "C": 0.6}


def toy_reactor(temperature: float, minutes: float, catalyst: str = "A", cycles: int = 3) -> float:
    """Yield in %: best at 80 °C, 15 min, catalyst A and 3 cycles (100 %)."""
    shape = math.exp(-((temperature - 80.0) / 25.0) ** 2 - math.log(minutes / 15.0) ** 2 / 2.0)
    return 100.0 * shape * CATALYST_FACTOR.get(catalyst, 0.5) * (1.0 - 0.05 * abs(cycles - 3))


def make_run(duration_s: float):
    def run(job: Job) -> dict:
        p = job.parameters
        try:
            temperature, minutes = float(p["temperature"]), float(p["time"])
        except (KeyError, ValueError, TypeError):
            raise ExperimentFailed("bad-parameters", f"needs numeric temperature and time, got {p}") from None
        if minutes <= 0:
            raise ExperimentFailed("bad-parameters", f"time must be positive, got {minutes}")
        steps = 4
        for step in range(steps):  # a real instrument would be doing something here
            if job.cancelled.is_set():
                raise ExperimentFailed("cancelled", "cancelled before completion")
            time.sleep(duration_s / steps)
            job.report_progress((step + 1) / steps)
        catalyst = str(p.get("catalyst", "A"))
        cycles = int(p.get("cycles", 3))
        return {"yield": toy_reactor(temperature, minutes, catalyst, cycles)}
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_connection_arguments(parser, "the coordinator's agents endpoint (default tcp://127.0.0.1:7750)")
    parser.add_argument("--id", help="instrument id, unique in the lab (default: the key file's principal)")
    parser.add_argument("--capacity", type=int, default=1, help="experiments run at once")
    parser.add_argument("--duration-ms", type=int, default=200, help="simulated run time of one experiment")
    parser.add_argument("--outbox", help="directory of unacknowledged results (default ./outbox-<id>)")
    args = parser.parse_args()
    configure_logging(args.log_level)
    try:
        connection = connection_from_arguments(args, "agents")
        operation = Operation(name="react", measurements=["yield"], repeatable=True, limits=[
            Limit("temperature", 20, 120, unit="°C"), Limit("time", 1, 60, unit="min"),
            Limit("catalyst", categories=sorted(CATALYST_FACTOR)), Limit("cycles", 1, 5)])
        instrument_id = connection.sender(args.id, "instrument id")
        agent = Agent(connection, make_run(args.duration_ms / 1000), instrument_id=instrument_id, kind="toy-reactor",
                      operations=[operation], capacity=args.capacity,
                      outbox=args.outbox or f"outbox-{instrument_id}")
    except ConfigurationError as error:
        exit_on_configuration_error(error)
    run_until_signalled(agent)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A model service in Python with a small numpy strategy (kernel regression + upper confidence bound).

    python3 numpy_model.py --coordinator-file lab/coordinator.json

Campaigns choose it with ``strategy: {name: numpy-ucb}``. ``propose`` is the place to plug in your
own model: Ax (``AxClient.get_next_trials``), BoTorch (fit a ``SingleTaskGP`` on
``context.training_data()`` and optimise an acquisition function), or scikit-learn. It receives
the campaign's space, every recorded result and the points already pending, and returns candidates.
"""

from __future__ import annotations

import argparse
import math
from typing import Dict, List, Optional, Tuple

import numpy as np

from labloop import Candidate, ConfigurationError, ModelService, ProposalContext, Space, run_until_signalled
from labloop.cli import add_connection_arguments, configure_logging, connection_from_arguments, exit_on_configuration_error
from labloop.space import CATEGORICAL, CONTINUOUS, FIXED, INTEGER, Parameter
from labloop.wire import Scalar

Point = Dict[str, Scalar]


def propose(context: ProposalContext) -> List[Candidate]:
    """Random points until ``initial_design`` results exist, then the best points by mean + beta × uncertainty."""
    rng = np.random.default_rng([context.seed, context.proposed_so_far, context.rejected_so_far])
    space = context.space
    points, values = context.training_data()
    beta = float(context.settings.get("beta", "1.0"))
    initial = context.spec.strategy.initial_design or 4
    avoid = [features(space, p) for p in context.pending]
    if len(values) < initial:
        pool = [sample(space, rng) for _ in range(256)]
        scored: List[Tuple[float, Optional[float], Optional[float], Point]] = [(0.0, None, None, p) for p in pool]
    else:
        sign = 1.0 if context.maximize else -1.0
        y = sign * np.asarray(values)
        x = np.array([features(space, p) for p in points])
        best = points[int(np.argmax(y))]
        pool = [sample(space, rng) for _ in range(512)] + [perturb(space, best, rng) for _ in range(512)]
        scored = []
        for point in pool:
            mean, uncertainty = kernel_regression(x, y, features(space, point))
            scored.append((mean + beta * uncertainty * (y.std() + 1e-9), sign * mean, uncertainty, point))
        scored.sort(key=lambda item: -item[0])
    chosen: List[Candidate] = []
    for score, mean, uncertainty, point in scored:
        f = features(space, point)
        if not space.feasible(point) or any(np.linalg.norm(f - other) < 1e-3 for other in avoid):
            continue
        avoid.append(f)
        chosen.append(Candidate(point, predicted_mean=mean, acquisition=score if mean is not None else None))
        if len(chosen) == context.count:
            break
    return chosen


def kernel_regression(x: np.ndarray, y: np.ndarray, at: np.ndarray, length: float = 0.25):
    """Nadaraya–Watson mean and an uncertainty in 0…1 that grows with the distance to the data."""
    weights = np.exp(-np.sum((x - at) ** 2, axis=1) / (2 * length ** 2))
    mean = float(weights @ y / weights.sum()) if weights.sum() > 1e-12 else float(y.mean())
    return mean, float(1.0 - weights.max())


def features(space: Space, point: Point) -> np.ndarray:
    """The point in the unit cube (log scale where declared), categories one-hot; fixed ones left out."""
    out: List[float] = []
    for p in space.parameters:
        if p.kind in (CONTINUOUS, INTEGER):
            out.append(unit(p, float(point[p.name])))
        elif p.kind == CATEGORICAL:
            out.extend(0.7 if point[p.name] == value else 0.0 for value in p.values)
    return np.asarray(out)


def unit(p: Parameter, value: float) -> float:
    if p.log:
        return (math.log(value) - math.log(p.low)) / (math.log(p.high) - math.log(p.low))
    return (value - p.low) / (p.high - p.low)


def from_unit(p: Parameter, u: float) -> float:
    u = min(1.0, max(0.0, u))
    value = math.exp(math.log(p.low) + u * (math.log(p.high) - math.log(p.low))) if p.log else p.low + u * (p.high - p.low)
    if p.kind == INTEGER:
        steps = round((value - p.low) / p.step)
        return int(min(p.high, p.low + steps * p.step))
    return value


def sample(space: Space, rng: np.random.Generator) -> Point:
    """A uniformly random point that satisfies the constraints (rejection sampling, bounded)."""
    for _ in range(1000):
        point: Point = {}
        for p in space.parameters:
            if p.kind in (CONTINUOUS, INTEGER):
                point[p.name] = from_unit(p, rng.random())
            elif p.kind == CATEGORICAL:
                point[p.name] = p.values[rng.integers(len(p.values))]
            elif p.kind == FIXED and p.value is not None:
                point[p.name] = p.value
        if space.feasible(point):
            return point
    raise ConfigurationError("could not find a point that satisfies the campaign's constraints")


def perturb(space: Space, best: Point, rng: np.random.Generator, scale: float = 0.1) -> Point:
    """A point near ``best``: numbers moved by a Gaussian step in the unit cube, categories mostly kept."""
    point: Point = {}
    for p in space.parameters:
        if p.kind in (CONTINUOUS, INTEGER):
            point[p.name] = from_unit(p, unit(p, float(best[p.name])) + rng.normal(0, scale))
        elif p.kind == CATEGORICAL:
            point[p.name] = best[p.name] if rng.random() < 0.7 else p.values[rng.integers(len(p.values))]
        elif p.value is not None:
            point[p.name] = p.value
    return point


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_connection_arguments(parser, "the coordinator's models endpoint; the others follow the default ports")
    parser.add_argument("--id", help="model id (default: the key file's principal, else numpy-model)")
    args = parser.parse_args()
    configure_logging(args.log_level)
    try:
        connection = connection_from_arguments(args, "models")
        service = ModelService(connection, {"numpy-ucb": propose}, model_id=args.id or connection.principal or "numpy-model",
                               model_version=f"numpy-ucb {np.__version__}")
    except ConfigurationError as error:
        exit_on_configuration_error(error)
    run_until_signalled(service)


if __name__ == "__main__":
    main()

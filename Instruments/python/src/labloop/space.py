"""A campaign's parameter space as plain Python, for model code: kinds, bounds, constraints, encoding."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import List, Mapping, Optional, Tuple

from .errors import ConfigurationError
from .v1 import common_pb2
from .wire import Scalar, from_value, to_value

CONTINUOUS, INTEGER, CATEGORICAL, FIXED = "continuous", "integer", "categorical", "fixed"


@dataclass(frozen=True)
class Parameter:
    """One parameter. Numbers use ``low``/``high`` (and ``step``, ``log``); categories use ``values``;
    a fixed parameter has ``value``, which every candidate must repeat (``Space.encode`` adds it)."""

    name: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    step: int = 0
    log: bool = False
    unit: str = ""
    values: Tuple[str, ...] = ()
    value: Optional[Scalar] = None


@dataclass(frozen=True)
class Constraint:
    """``sum(coefficient * parameter) <= bound`` (or ``>=``)."""

    terms: Mapping[str, float]
    relation: str
    bound: float

    def holds(self, point: Mapping[str, Scalar]) -> bool:
        total = sum(coefficient * float(point[name]) for name, coefficient in self.terms.items())
        slack = 1e-9 * max(1.0, abs(self.bound))  # the coordinator's tolerance (protocol.md §11)
        return total <= self.bound + slack if self.relation == "<=" else total >= self.bound - slack


@dataclass(frozen=True)
class Space:
    parameters: Tuple[Parameter, ...]
    constraints: Tuple[Constraint, ...] = field(default=())

    @classmethod
    def from_proto(cls, space: common_pb2.ParameterSpace) -> "Space":
        parameters = []
        for p in space.parameters:
            kind = p.WhichOneof("kind")
            if kind == CONTINUOUS:
                parameters.append(Parameter(p.name, kind, p.continuous.low, p.continuous.high,
                                            log=p.continuous.scale == common_pb2.SCALE_LOG, unit=p.continuous.unit))
            elif kind == INTEGER:
                parameters.append(Parameter(p.name, kind, float(p.integer.low), float(p.integer.high),
                                            step=max(1, p.integer.step)))
            elif kind == CATEGORICAL:
                parameters.append(Parameter(p.name, kind, values=tuple(p.categorical.values)))
            elif kind == FIXED:
                parameters.append(Parameter(p.name, kind, value=from_value(p.fixed.value)))
            else:
                raise ConfigurationError(f"parameter {p.name!r} has no kind")
        constraints = tuple(
            Constraint({t.parameter: t.coefficient for t in c.terms},
                       "<=" if c.relation == common_pb2.RELATION_LESS_EQUAL else ">=", c.bound)
            for c in space.constraints)
        return cls(tuple(parameters), constraints)

    @property
    def names(self) -> List[str]:
        return [p.name for p in self.parameters]

    def feasible(self, point: Mapping[str, Scalar]) -> bool:
        """True if every linear constraint holds."""
        return all(constraint.holds(point) for constraint in self.constraints)

    def encode(self, point: Mapping[str, Scalar]) -> List[common_pb2.NamedValue]:
        """Named values of the right kind for every parameter, in space order; fixed ones are filled in.

        Integers must be whole numbers (a float such as ``3.0`` is accepted and sent as ``3``).
        Raises :class:`ConfigurationError` for unknown or missing names and values of the wrong kind.
        """
        unknown = set(point) - set(self.names)
        if unknown:
            raise ConfigurationError(f"unknown parameters {sorted(unknown)}; the space has {self.names}")
        encoded = []
        for parameter in self.parameters:
            if parameter.kind == FIXED:
                assert parameter.value is not None
                value = to_value(parameter.value)  # the fixed value's own kind
            elif parameter.name not in point:
                raise ConfigurationError(f"parameter {parameter.name!r} is missing")
            else:
                value = _encode_one(parameter, point[parameter.name])
            encoded.append(common_pb2.NamedValue(name=parameter.name, value=value))
        return encoded


def _encode_one(parameter: Parameter, raw: Scalar) -> common_pb2.Value:
    if parameter.kind == CATEGORICAL:
        if not isinstance(raw, str):
            raise ConfigurationError(f"{parameter.name!r} is categorical: give one of {list(parameter.values)}")
        return common_pb2.Value(category=raw)
    if isinstance(raw, (str, bool)):
        raise ConfigurationError(f"{parameter.name!r} is {parameter.kind}: give a number, not {raw!r}")
    if parameter.kind == INTEGER and isinstance(raw, numbers.Integral):
        return common_pb2.Value(integer=int(raw))
    number = float(raw)
    if not math.isfinite(number):
        raise ConfigurationError(f"{parameter.name!r} must be finite, got {number}")
    if parameter.kind == INTEGER:
        if not number.is_integer():
            raise ConfigurationError(f"{parameter.name!r} is an integer parameter: round {number} first")
        return common_pb2.Value(integer=int(number))
    return common_pb2.Value(real=number)

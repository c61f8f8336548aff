from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

APPROVAL_MODE_AUTO: ApprovalMode
APPROVAL_MODE_MANUAL: ApprovalMode
APPROVAL_MODE_UNSPECIFIED: ApprovalMode
DESCRIPTOR: _descriptor.FileDescriptor
DIRECTION_MAXIMIZE: Direction
DIRECTION_MINIMIZE: Direction
DIRECTION_UNSPECIFIED: Direction
ERROR_CODE_CONFLICT: ErrorCode
ERROR_CODE_INVALID_STATE: ErrorCode
ERROR_CODE_INVALID_VALUE: ErrorCode
ERROR_CODE_MALFORMED: ErrorCode
ERROR_CODE_NOT_REGISTERED: ErrorCode
ERROR_CODE_UNAUTHORIZED: ErrorCode
ERROR_CODE_UNAVAILABLE: ErrorCode
ERROR_CODE_UNKNOWN_ID: ErrorCode
ERROR_CODE_UNSPECIFIED: ErrorCode
ERROR_CODE_UNSUPPORTED_VERSION: ErrorCode
ERROR_CODE_WRONG_ROLE: ErrorCode
OUTCOME_FAILED: Outcome
OUTCOME_SUCCEEDED: Outcome
OUTCOME_UNSPECIFIED: Outcome
RELATION_GREATER_EQUAL: Relation
RELATION_LESS_EQUAL: Relation
RELATION_UNSPECIFIED: Relation
SCALE_LINEAR: Scale
SCALE_LOG: Scale
SCALE_UNSPECIFIED: Scale

class Budget(_message.Message):
    __slots__ = ["deadline_unix_ms", "max_experiments", "max_parallel"]
    DEADLINE_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_EXPERIMENTS_FIELD_NUMBER: _ClassVar[int]
    MAX_PARALLEL_FIELD_NUMBER: _ClassVar[int]
    deadline_unix_ms: int
    max_experiments: int
    max_parallel: int
    def __init__(self, max_experiments: _Optional[int] = ..., max_parallel: _Optional[int] = ..., deadline_unix_ms: _Optional[int] = ...) -> None: ...

class CampaignSpec(_message.Message):
    __slots__ = ["approval", "budget", "description", "extra_measurements", "instrument", "name", "objective", "owner", "priority", "project", "retries", "space", "stop", "strategy"]
    APPROVAL_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    EXTRA_MEASUREMENTS_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    RETRIES_FIELD_NUMBER: _ClassVar[int]
    SPACE_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    approval: ApprovalMode
    budget: Budget
    description: str
    extra_measurements: _containers.RepeatedScalarFieldContainer[str]
    instrument: InstrumentRequirement
    name: str
    objective: Objective
    owner: str
    priority: int
    project: str
    retries: RetryPolicy
    space: ParameterSpace
    stop: StopRules
    strategy: Strategy
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., owner: _Optional[str] = ..., project: _Optional[str] = ..., space: _Optional[_Union[ParameterSpace, _Mapping]] = ..., objective: _Optional[_Union[Objective, _Mapping]] = ..., extra_measurements: _Optional[_Iterable[str]] = ..., instrument: _Optional[_Union[InstrumentRequirement, _Mapping]] = ..., budget: _Optional[_Union[Budget, _Mapping]] = ..., strategy: _Optional[_Union[Strategy, _Mapping]] = ..., stop: _Optional[_Union[StopRules, _Mapping]] = ..., retries: _Optional[_Union[RetryPolicy, _Mapping]] = ..., approval: _Optional[_Union[ApprovalMode, str]] = ..., priority: _Optional[int] = ...) -> None: ...

class CategoricalParameter(_message.Message):
    __slots__ = ["values"]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, values: _Optional[_Iterable[str]] = ...) -> None: ...

class ContinuousParameter(_message.Message):
    __slots__ = ["high", "low", "scale", "unit"]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    SCALE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    high: float
    low: float
    scale: Scale
    unit: str
    def __init__(self, low: _Optional[float] = ..., high: _Optional[float] = ..., unit: _Optional[str] = ..., scale: _Optional[_Union[Scale, str]] = ...) -> None: ...

class ErrorReply(_message.Message):
    __slots__ = ["code", "reason"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    code: ErrorCode
    reason: str
    def __init__(self, code: _Optional[_Union[ErrorCode, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class Failure(_message.Message):
    __slots__ = ["kind", "message"]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    message: str
    def __init__(self, kind: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class FixedParameter(_message.Message):
    __slots__ = ["value"]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: Value
    def __init__(self, value: _Optional[_Union[Value, _Mapping]] = ...) -> None: ...

class InstrumentRequirement(_message.Message):
    __slots__ = ["kind", "operation"]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    kind: str
    operation: str
    def __init__(self, kind: _Optional[str] = ..., operation: _Optional[str] = ...) -> None: ...

class IntegerParameter(_message.Message):
    __slots__ = ["high", "low", "step"]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    high: int
    low: int
    step: int
    def __init__(self, low: _Optional[int] = ..., high: _Optional[int] = ..., step: _Optional[int] = ...) -> None: ...

class LinearConstraint(_message.Message):
    __slots__ = ["bound", "relation", "terms"]
    BOUND_FIELD_NUMBER: _ClassVar[int]
    RELATION_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    bound: float
    relation: Relation
    terms: _containers.RepeatedCompositeFieldContainer[LinearTerm]
    def __init__(self, terms: _Optional[_Iterable[_Union[LinearTerm, _Mapping]]] = ..., relation: _Optional[_Union[Relation, str]] = ..., bound: _Optional[float] = ...) -> None: ...

class LinearTerm(_message.Message):
    __slots__ = ["coefficient", "parameter"]
    COEFFICIENT_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_FIELD_NUMBER: _ClassVar[int]
    coefficient: float
    parameter: str
    def __init__(self, parameter: _Optional[str] = ..., coefficient: _Optional[float] = ...) -> None: ...

class NamedValue(_message.Message):
    __slots__ = ["name", "value"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: Value
    def __init__(self, name: _Optional[str] = ..., value: _Optional[_Union[Value, _Mapping]] = ...) -> None: ...

class NamedValues(_message.Message):
    __slots__ = ["values"]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedCompositeFieldContainer[NamedValue]
    def __init__(self, values: _Optional[_Iterable[_Union[NamedValue, _Mapping]]] = ...) -> None: ...

class Objective(_message.Message):
    __slots__ = ["direction", "measurement", "target"]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    MEASUREMENT_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    direction: Direction
    measurement: str
    target: float
    def __init__(self, measurement: _Optional[str] = ..., direction: _Optional[_Union[Direction, str]] = ..., target: _Optional[float] = ...) -> None: ...

class Parameter(_message.Message):
    __slots__ = ["categorical", "continuous", "fixed", "integer", "name"]
    CATEGORICAL_FIELD_NUMBER: _ClassVar[int]
    CONTINUOUS_FIELD_NUMBER: _ClassVar[int]
    FIXED_FIELD_NUMBER: _ClassVar[int]
    INTEGER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    categorical: CategoricalParameter
    continuous: ContinuousParameter
    fixed: FixedParameter
    integer: IntegerParameter
    name: str
    def __init__(self, name: _Optional[str] = ..., continuous: _Optional[_Union[ContinuousParameter, _Mapping]] = ..., integer: _Optional[_Union[IntegerParameter, _Mapping]] = ..., categorical: _Optional[_Union[CategoricalParameter, _Mapping]] = ..., fixed: _Optional[_Union[FixedParameter, _Mapping]] = ...) -> None: ...

class ParameterSpace(_message.Message):
    __slots__ = ["constraints", "parameters"]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    constraints: _containers.RepeatedCompositeFieldContainer[LinearConstraint]
    parameters: _containers.RepeatedCompositeFieldContainer[Parameter]
    def __init__(self, parameters: _Optional[_Iterable[_Union[Parameter, _Mapping]]] = ..., constraints: _Optional[_Iterable[_Union[LinearConstraint, _Mapping]]] = ...) -> None: ...

class RetryPolicy(_message.Message):
    __slots__ = ["max_attempts", "retryable_failures"]
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    max_attempts: int
    retryable_failures: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, max_attempts: _Optional[int] = ..., retryable_failures: _Optional[_Iterable[str]] = ...) -> None: ...

class StopRules(_message.Message):
    __slots__ = ["no_improvement_window", "stop_at_target"]
    NO_IMPROVEMENT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    STOP_AT_TARGET_FIELD_NUMBER: _ClassVar[int]
    no_improvement_window: int
    stop_at_target: bool
    def __init__(self, stop_at_target: bool = ..., no_improvement_window: _Optional[int] = ...) -> None: ...

class Strategy(_message.Message):
    __slots__ = ["initial_design", "name", "seed", "settings"]
    class SettingsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    INITIAL_DESIGN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    initial_design: int
    name: str
    seed: int
    settings: _containers.ScalarMap[str, str]
    def __init__(self, name: _Optional[str] = ..., initial_design: _Optional[int] = ..., settings: _Optional[_Mapping[str, str]] = ..., seed: _Optional[int] = ...) -> None: ...

class Value(_message.Message):
    __slots__ = ["category", "integer", "real"]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    INTEGER_FIELD_NUMBER: _ClassVar[int]
    REAL_FIELD_NUMBER: _ClassVar[int]
    category: str
    integer: int
    real: float
    def __init__(self, real: _Optional[float] = ..., integer: _Optional[int] = ..., category: _Optional[str] = ...) -> None: ...

class Scale(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Relation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Direction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ApprovalMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Outcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ErrorCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

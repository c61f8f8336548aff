from labloop.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ACK_STATUS_DUPLICATE: AckStatus
ACK_STATUS_REJECTED: AckStatus
ACK_STATUS_STORED: AckStatus
ACK_STATUS_UNSPECIFIED: AckStatus
DESCRIPTOR: _descriptor.FileDescriptor

class AgentHello(_message.Message):
    __slots__ = ["capacity", "in_flight", "instrument_id", "kind", "operations", "software"]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    SOFTWARE_FIELD_NUMBER: _ClassVar[int]
    capacity: int
    in_flight: _containers.RepeatedScalarFieldContainer[str]
    instrument_id: str
    kind: str
    operations: _containers.RepeatedCompositeFieldContainer[OperationCapability]
    software: str
    def __init__(self, instrument_id: _Optional[str] = ..., kind: _Optional[str] = ..., operations: _Optional[_Iterable[_Union[OperationCapability, _Mapping]]] = ..., capacity: _Optional[int] = ..., in_flight: _Optional[_Iterable[str]] = ..., software: _Optional[str] = ...) -> None: ...

class AgentWelcome(_message.Message):
    __slots__ = ["cancel", "heartbeat_interval_ms", "liveness_timeout_ms", "session_id"]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    LIVENESS_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    cancel: _containers.RepeatedScalarFieldContainer[str]
    heartbeat_interval_ms: int
    liveness_timeout_ms: int
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., heartbeat_interval_ms: _Optional[int] = ..., liveness_timeout_ms: _Optional[int] = ..., cancel: _Optional[_Iterable[str]] = ...) -> None: ...

class Assignment(_message.Message):
    __slots__ = ["attempt", "campaign_id", "experiment_id", "measurements", "operation", "parameters"]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    MEASUREMENTS_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    attempt: int
    campaign_id: str
    experiment_id: str
    measurements: _containers.RepeatedScalarFieldContainer[str]
    operation: str
    parameters: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    def __init__(self, experiment_id: _Optional[str] = ..., attempt: _Optional[int] = ..., campaign_id: _Optional[str] = ..., operation: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ..., measurements: _Optional[_Iterable[str]] = ...) -> None: ...

class AssignmentAccepted(_message.Message):
    __slots__ = ["experiment_id"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    def __init__(self, experiment_id: _Optional[str] = ...) -> None: ...

class AssignmentDeclined(_message.Message):
    __slots__ = ["experiment_id", "reason"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    reason: str
    def __init__(self, experiment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Cancel(_message.Message):
    __slots__ = ["experiment_id", "reason"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    reason: str
    def __init__(self, experiment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Disconnect(_message.Message):
    __slots__ = ["reason"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class ExperimentResult(_message.Message):
    __slots__ = ["attempt", "experiment_id", "failure", "finished_unix_ms", "measurements", "outcome", "started_unix_ms"]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    FINISHED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    MEASUREMENTS_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    STARTED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    attempt: int
    experiment_id: str
    failure: _common_pb2.Failure
    finished_unix_ms: int
    measurements: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    outcome: _common_pb2.Outcome
    started_unix_ms: int
    def __init__(self, experiment_id: _Optional[str] = ..., attempt: _Optional[int] = ..., outcome: _Optional[_Union[_common_pb2.Outcome, str]] = ..., measurements: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ..., failure: _Optional[_Union[_common_pb2.Failure, _Mapping]] = ..., started_unix_ms: _Optional[int] = ..., finished_unix_ms: _Optional[int] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ["latest_seq", "running"]
    LATEST_SEQ_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    latest_seq: int
    running: int
    def __init__(self, running: _Optional[int] = ..., latest_seq: _Optional[int] = ...) -> None: ...

class OperationCapability(_message.Message):
    __slots__ = ["limits", "measurements", "name", "repeatable"]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    MEASUREMENTS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REPEATABLE_FIELD_NUMBER: _ClassVar[int]
    limits: _containers.RepeatedCompositeFieldContainer[ParameterLimit]
    measurements: _containers.RepeatedScalarFieldContainer[str]
    name: str
    repeatable: bool
    def __init__(self, name: _Optional[str] = ..., limits: _Optional[_Iterable[_Union[ParameterLimit, _Mapping]]] = ..., measurements: _Optional[_Iterable[str]] = ..., repeatable: bool = ...) -> None: ...

class ParameterLimit(_message.Message):
    __slots__ = ["categories", "high", "low", "name", "unit"]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedScalarFieldContainer[str]
    high: float
    low: float
    name: str
    unit: str
    def __init__(self, name: _Optional[str] = ..., low: _Optional[float] = ..., high: _Optional[float] = ..., categories: _Optional[_Iterable[str]] = ..., unit: _Optional[str] = ...) -> None: ...

class Progress(_message.Message):
    __slots__ = ["experiment_id", "fraction", "message"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    fraction: float
    message: str
    def __init__(self, experiment_id: _Optional[str] = ..., fraction: _Optional[float] = ..., message: _Optional[str] = ...) -> None: ...

class ResultAck(_message.Message):
    __slots__ = ["experiment_id", "reason", "status"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    reason: str
    status: AckStatus
    def __init__(self, experiment_id: _Optional[str] = ..., status: _Optional[_Union[AckStatus, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class AckStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

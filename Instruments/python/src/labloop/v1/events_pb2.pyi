from labloop.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

CAMPAIGN_STATE_CANCELLED: CampaignState
CAMPAIGN_STATE_COMPLETED: CampaignState
CAMPAIGN_STATE_PAUSED: CampaignState
CAMPAIGN_STATE_RUNNING: CampaignState
CAMPAIGN_STATE_UNSPECIFIED: CampaignState
DESCRIPTOR: _descriptor.FileDescriptor
EXPERIMENT_STATE_AWAITING_APPROVAL: ExperimentState
EXPERIMENT_STATE_CANCELLED: ExperimentState
EXPERIMENT_STATE_COMPLETED: ExperimentState
EXPERIMENT_STATE_DISPATCHED: ExperimentState
EXPERIMENT_STATE_FAILED: ExperimentState
EXPERIMENT_STATE_NEEDS_REVIEW: ExperimentState
EXPERIMENT_STATE_QUEUED: ExperimentState
EXPERIMENT_STATE_REJECTED: ExperimentState
EXPERIMENT_STATE_RUNNING: ExperimentState
EXPERIMENT_STATE_UNSPECIFIED: ExperimentState

class CampaignStateChanged(_message.Message):
    __slots__ = ["reason", "to"]
    FROM_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    reason: str
    to: CampaignState
    def __init__(self, to: _Optional[_Union[CampaignState, str]] = ..., reason: _Optional[str] = ..., **kwargs) -> None: ...

class CampaignSubmitted(_message.Message):
    __slots__ = ["spec"]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    spec: _common_pb2.CampaignSpec
    def __init__(self, spec: _Optional[_Union[_common_pb2.CampaignSpec, _Mapping]] = ...) -> None: ...

class CatchUpRequest(_message.Message):
    __slots__ = ["after_seq", "campaign_id", "max_events"]
    AFTER_SEQ_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_EVENTS_FIELD_NUMBER: _ClassVar[int]
    after_seq: int
    campaign_id: str
    max_events: int
    def __init__(self, after_seq: _Optional[int] = ..., max_events: _Optional[int] = ..., campaign_id: _Optional[str] = ...) -> None: ...

class CatchUpResponse(_message.Message):
    __slots__ = ["events", "latest_seq", "more"]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    LATEST_SEQ_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    latest_seq: int
    more: bool
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., latest_seq: _Optional[int] = ..., more: bool = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ["at_unix_ms", "campaign_id", "campaign_state_changed", "campaign_submitted", "experiment_proposed", "experiment_state_changed", "result_recorded", "seq"]
    AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_STATE_CHANGED_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_SUBMITTED_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_PROPOSED_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_STATE_CHANGED_FIELD_NUMBER: _ClassVar[int]
    RESULT_RECORDED_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    at_unix_ms: int
    campaign_id: str
    campaign_state_changed: CampaignStateChanged
    campaign_submitted: CampaignSubmitted
    experiment_proposed: ExperimentProposed
    experiment_state_changed: ExperimentStateChanged
    result_recorded: ResultRecorded
    seq: int
    def __init__(self, seq: _Optional[int] = ..., at_unix_ms: _Optional[int] = ..., campaign_id: _Optional[str] = ..., campaign_submitted: _Optional[_Union[CampaignSubmitted, _Mapping]] = ..., campaign_state_changed: _Optional[_Union[CampaignStateChanged, _Mapping]] = ..., experiment_proposed: _Optional[_Union[ExperimentProposed, _Mapping]] = ..., experiment_state_changed: _Optional[_Union[ExperimentStateChanged, _Mapping]] = ..., result_recorded: _Optional[_Union[ResultRecorded, _Mapping]] = ...) -> None: ...

class ExperimentProposed(_message.Message):
    __slots__ = ["attempt", "candidate_id", "experiment_id", "model_id", "model_version", "parameters", "predicted_mean", "predicted_std", "proposal_id"]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_MEAN_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_STD_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    attempt: int
    candidate_id: str
    experiment_id: str
    model_id: str
    model_version: str
    parameters: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    predicted_mean: float
    predicted_std: float
    proposal_id: str
    def __init__(self, experiment_id: _Optional[str] = ..., attempt: _Optional[int] = ..., proposal_id: _Optional[str] = ..., candidate_id: _Optional[str] = ..., model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ..., predicted_mean: _Optional[float] = ..., predicted_std: _Optional[float] = ...) -> None: ...

class ExperimentStateChanged(_message.Message):
    __slots__ = ["experiment_id", "instrument_id", "reason", "to"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    instrument_id: str
    reason: str
    to: ExperimentState
    def __init__(self, experiment_id: _Optional[str] = ..., to: _Optional[_Union[ExperimentState, str]] = ..., instrument_id: _Optional[str] = ..., reason: _Optional[str] = ..., **kwargs) -> None: ...

class ResultRecorded(_message.Message):
    __slots__ = ["attempt", "experiment_id", "failure", "instrument_id", "measurements", "model_version", "outcome", "parameters", "proposal_id"]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    MEASUREMENTS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    attempt: int
    experiment_id: str
    failure: _common_pb2.Failure
    instrument_id: str
    measurements: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    model_version: str
    outcome: _common_pb2.Outcome
    parameters: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    proposal_id: str
    def __init__(self, experiment_id: _Optional[str] = ..., attempt: _Optional[int] = ..., outcome: _Optional[_Union[_common_pb2.Outcome, str]] = ..., parameters: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ..., measurements: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ..., instrument_id: _Optional[str] = ..., proposal_id: _Optional[str] = ..., model_version: _Optional[str] = ..., failure: _Optional[_Union[_common_pb2.Failure, _Mapping]] = ...) -> None: ...

class StreamHeartbeat(_message.Message):
    __slots__ = ["latest_seq"]
    LATEST_SEQ_FIELD_NUMBER: _ClassVar[int]
    latest_seq: int
    def __init__(self, latest_seq: _Optional[int] = ...) -> None: ...

class ExperimentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class CampaignState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

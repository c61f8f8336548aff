from labloop.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AcceptedCandidate(_message.Message):
    __slots__ = ["candidate_id", "experiment_id"]
    CANDIDATE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    candidate_id: str
    experiment_id: str
    def __init__(self, candidate_id: _Optional[str] = ..., experiment_id: _Optional[str] = ...) -> None: ...

class Candidate(_message.Message):
    __slots__ = ["acquisition", "candidate_id", "parameters", "predicted_mean", "predicted_std"]
    ACQUISITION_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_MEAN_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_STD_FIELD_NUMBER: _ClassVar[int]
    acquisition: float
    candidate_id: str
    parameters: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    predicted_mean: float
    predicted_std: float
    def __init__(self, candidate_id: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ..., predicted_mean: _Optional[float] = ..., predicted_std: _Optional[float] = ..., acquisition: _Optional[float] = ...) -> None: ...

class ModelHello(_message.Message):
    __slots__ = ["campaigns", "model_id", "model_version", "strategies"]
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STRATEGIES_FIELD_NUMBER: _ClassVar[int]
    campaigns: _containers.RepeatedScalarFieldContainer[str]
    model_id: str
    model_version: str
    strategies: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., strategies: _Optional[_Iterable[str]] = ..., campaigns: _Optional[_Iterable[str]] = ...) -> None: ...

class ModelWelcome(_message.Message):
    __slots__ = ["heartbeat_interval_ms", "latest_seq", "liveness_timeout_ms", "session_id"]
    HEARTBEAT_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    LATEST_SEQ_FIELD_NUMBER: _ClassVar[int]
    LIVENESS_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    heartbeat_interval_ms: int
    latest_seq: int
    liveness_timeout_ms: int
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., heartbeat_interval_ms: _Optional[int] = ..., liveness_timeout_ms: _Optional[int] = ..., latest_seq: _Optional[int] = ...) -> None: ...

class PendingPoint(_message.Message):
    __slots__ = ["experiment_id", "parameters"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    parameters: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    def __init__(self, experiment_id: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ...) -> None: ...

class ProposalAck(_message.Message):
    __slots__ = ["accepted", "proposal_id", "rejected", "request_id"]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    accepted: _containers.RepeatedCompositeFieldContainer[AcceptedCandidate]
    proposal_id: str
    rejected: _containers.RepeatedCompositeFieldContainer[RejectedCandidate]
    request_id: str
    def __init__(self, request_id: _Optional[str] = ..., proposal_id: _Optional[str] = ..., accepted: _Optional[_Iterable[_Union[AcceptedCandidate, _Mapping]]] = ..., rejected: _Optional[_Iterable[_Union[RejectedCandidate, _Mapping]]] = ...) -> None: ...

class ProposalRequest(_message.Message):
    __slots__ = ["as_of_seq", "campaign_id", "count", "pending", "proposed_so_far", "rejected_so_far", "request_id", "spec"]
    AS_OF_SEQ_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_SO_FAR_FIELD_NUMBER: _ClassVar[int]
    REJECTED_SO_FAR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    as_of_seq: int
    campaign_id: str
    count: int
    pending: _containers.RepeatedCompositeFieldContainer[PendingPoint]
    proposed_so_far: int
    rejected_so_far: int
    request_id: str
    spec: _common_pb2.CampaignSpec
    def __init__(self, request_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., spec: _Optional[_Union[_common_pb2.CampaignSpec, _Mapping]] = ..., count: _Optional[int] = ..., pending: _Optional[_Iterable[_Union[PendingPoint, _Mapping]]] = ..., proposed_so_far: _Optional[int] = ..., as_of_seq: _Optional[int] = ..., rejected_so_far: _Optional[int] = ...) -> None: ...

class Proposals(_message.Message):
    __slots__ = ["campaign_id", "candidates", "model_id", "model_version", "request_id", "training_observations"]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TRAINING_OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    candidates: _containers.RepeatedCompositeFieldContainer[Candidate]
    model_id: str
    model_version: str
    request_id: str
    training_observations: int
    def __init__(self, request_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., training_observations: _Optional[int] = ..., candidates: _Optional[_Iterable[_Union[Candidate, _Mapping]]] = ...) -> None: ...

class RejectedCandidate(_message.Message):
    __slots__ = ["candidate_id", "code", "reason"]
    CANDIDATE_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    candidate_id: str
    code: _common_pb2.ErrorCode
    reason: str
    def __init__(self, candidate_id: _Optional[str] = ..., code: _Optional[_Union[_common_pb2.ErrorCode, str]] = ..., reason: _Optional[str] = ...) -> None: ...

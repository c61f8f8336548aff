from labloop.v1 import common_pb2 as _common_pb2
from labloop.v1 import events_pb2 as _events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ApproveExperiments(_message.Message):
    __slots__ = ["campaign_id", "experiment_ids", "reason"]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    experiment_ids: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    def __init__(self, campaign_id: _Optional[str] = ..., experiment_ids: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ...) -> None: ...

class CampaignList(_message.Message):
    __slots__ = ["campaigns"]
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    campaigns: _containers.RepeatedCompositeFieldContainer[CampaignSummary]
    def __init__(self, campaigns: _Optional[_Iterable[_Union[CampaignSummary, _Mapping]]] = ...) -> None: ...

class CampaignSummary(_message.Message):
    __slots__ = ["best_experiment_id", "best_objective", "best_parameters", "campaign_id", "direction", "experiments", "finished_unix_ms", "instruments_in_use", "max_experiments", "name", "now_unix_ms", "objective", "project", "state", "state_reason", "submitted_unix_ms"]
    BEST_EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    BEST_OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    BEST_PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENTS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENTS_IN_USE_FIELD_NUMBER: _ClassVar[int]
    MAX_EXPERIMENTS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NOW_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    best_experiment_id: str
    best_objective: float
    best_parameters: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    campaign_id: str
    direction: _common_pb2.Direction
    experiments: _containers.RepeatedCompositeFieldContainer[ExperimentCount]
    finished_unix_ms: int
    instruments_in_use: _containers.RepeatedScalarFieldContainer[str]
    max_experiments: int
    name: str
    now_unix_ms: int
    objective: str
    project: str
    state: _events_pb2.CampaignState
    state_reason: str
    submitted_unix_ms: int
    def __init__(self, campaign_id: _Optional[str] = ..., name: _Optional[str] = ..., state: _Optional[_Union[_events_pb2.CampaignState, str]] = ..., state_reason: _Optional[str] = ..., experiments: _Optional[_Iterable[_Union[ExperimentCount, _Mapping]]] = ..., best_objective: _Optional[float] = ..., best_parameters: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ..., best_experiment_id: _Optional[str] = ..., submitted_unix_ms: _Optional[int] = ..., max_experiments: _Optional[int] = ..., project: _Optional[str] = ..., instruments_in_use: _Optional[_Iterable[str]] = ..., finished_unix_ms: _Optional[int] = ..., now_unix_ms: _Optional[int] = ..., objective: _Optional[str] = ..., direction: _Optional[_Union[_common_pb2.Direction, str]] = ...) -> None: ...

class CancelCampaign(_message.Message):
    __slots__ = ["abort_running", "campaign_id"]
    ABORT_RUNNING_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    abort_running: bool
    campaign_id: str
    def __init__(self, campaign_id: _Optional[str] = ..., abort_running: bool = ...) -> None: ...

class ControlReply(_message.Message):
    __slots__ = ["campaign", "campaigns", "decision", "export_page", "instruments", "schedule"]
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    EXPORT_PAGE_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENTS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    campaign: CampaignSummary
    campaigns: CampaignList
    decision: DecisionResult
    export_page: ExportPage
    instruments: InstrumentList
    schedule: Schedule
    def __init__(self, campaign: _Optional[_Union[CampaignSummary, _Mapping]] = ..., campaigns: _Optional[_Union[CampaignList, _Mapping]] = ..., instruments: _Optional[_Union[InstrumentList, _Mapping]] = ..., decision: _Optional[_Union[DecisionResult, _Mapping]] = ..., export_page: _Optional[_Union[ExportPage, _Mapping]] = ..., schedule: _Optional[_Union[Schedule, _Mapping]] = ...) -> None: ...

class ControlRequest(_message.Message):
    __slots__ = ["approve", "cancel", "drain", "export", "get_campaign", "get_schedule", "list_campaigns", "list_instruments", "pause", "reject", "resume", "submit"]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    DRAIN_FIELD_NUMBER: _ClassVar[int]
    EXPORT_FIELD_NUMBER: _ClassVar[int]
    GET_CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    GET_SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    LIST_CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    LIST_INSTRUMENTS_FIELD_NUMBER: _ClassVar[int]
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    REJECT_FIELD_NUMBER: _ClassVar[int]
    RESUME_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_FIELD_NUMBER: _ClassVar[int]
    approve: ApproveExperiments
    cancel: CancelCampaign
    drain: DrainInstrument
    export: ExportCampaign
    get_campaign: GetCampaign
    get_schedule: GetSchedule
    list_campaigns: ListCampaigns
    list_instruments: ListInstruments
    pause: PauseCampaign
    reject: RejectExperiments
    resume: ResumeCampaign
    submit: SubmitCampaign
    def __init__(self, submit: _Optional[_Union[SubmitCampaign, _Mapping]] = ..., list_campaigns: _Optional[_Union[ListCampaigns, _Mapping]] = ..., get_campaign: _Optional[_Union[GetCampaign, _Mapping]] = ..., pause: _Optional[_Union[PauseCampaign, _Mapping]] = ..., resume: _Optional[_Union[ResumeCampaign, _Mapping]] = ..., cancel: _Optional[_Union[CancelCampaign, _Mapping]] = ..., list_instruments: _Optional[_Union[ListInstruments, _Mapping]] = ..., approve: _Optional[_Union[ApproveExperiments, _Mapping]] = ..., reject: _Optional[_Union[RejectExperiments, _Mapping]] = ..., export: _Optional[_Union[ExportCampaign, _Mapping]] = ..., drain: _Optional[_Union[DrainInstrument, _Mapping]] = ..., get_schedule: _Optional[_Union[GetSchedule, _Mapping]] = ...) -> None: ...

class DecisionResult(_message.Message):
    __slots__ = ["campaign", "experiment_ids"]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    campaign: CampaignSummary
    experiment_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, experiment_ids: _Optional[_Iterable[str]] = ..., campaign: _Optional[_Union[CampaignSummary, _Mapping]] = ...) -> None: ...

class DrainInstrument(_message.Message):
    __slots__ = ["instrument_id", "undo"]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    UNDO_FIELD_NUMBER: _ClassVar[int]
    instrument_id: str
    undo: bool
    def __init__(self, instrument_id: _Optional[str] = ..., undo: bool = ...) -> None: ...

class ExperimentCount(_message.Message):
    __slots__ = ["count", "state"]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    count: int
    state: _events_pb2.ExperimentState
    def __init__(self, state: _Optional[_Union[_events_pb2.ExperimentState, str]] = ..., count: _Optional[int] = ...) -> None: ...

class ExperimentRow(_message.Message):
    __slots__ = ["attempt", "campaign_id", "candidate_id", "created_unix_ms", "experiment_id", "failure_kind", "failure_message", "finished_unix_ms", "instrument_id", "measurements", "model_id", "model_version", "parameters", "predicted_mean", "predicted_std", "proposal_id", "recorded_unix_ms", "retry_of", "started_unix_ms", "state", "state_reason"]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_KIND_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FINISHED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    MEASUREMENTS_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_MEAN_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_STD_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    RETRY_OF_FIELD_NUMBER: _ClassVar[int]
    STARTED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_FIELD_NUMBER: _ClassVar[int]
    attempt: int
    campaign_id: str
    candidate_id: str
    created_unix_ms: int
    experiment_id: str
    failure_kind: str
    failure_message: str
    finished_unix_ms: int
    instrument_id: str
    measurements: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    model_id: str
    model_version: str
    parameters: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedValue]
    predicted_mean: float
    predicted_std: float
    proposal_id: str
    recorded_unix_ms: int
    retry_of: str
    started_unix_ms: int
    state: _events_pb2.ExperimentState
    state_reason: str
    def __init__(self, experiment_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., attempt: _Optional[int] = ..., retry_of: _Optional[str] = ..., candidate_id: _Optional[str] = ..., proposal_id: _Optional[str] = ..., model_id: _Optional[str] = ..., model_version: _Optional[str] = ..., state: _Optional[_Union[_events_pb2.ExperimentState, str]] = ..., instrument_id: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ..., measurements: _Optional[_Iterable[_Union[_common_pb2.NamedValue, _Mapping]]] = ..., predicted_mean: _Optional[float] = ..., predicted_std: _Optional[float] = ..., failure_kind: _Optional[str] = ..., failure_message: _Optional[str] = ..., created_unix_ms: _Optional[int] = ..., started_unix_ms: _Optional[int] = ..., finished_unix_ms: _Optional[int] = ..., recorded_unix_ms: _Optional[int] = ..., state_reason: _Optional[str] = ...) -> None: ...

class ExportCampaign(_message.Message):
    __slots__ = ["after_experiment_id", "campaign_id", "max_rows"]
    AFTER_EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_ROWS_FIELD_NUMBER: _ClassVar[int]
    after_experiment_id: str
    campaign_id: str
    max_rows: int
    def __init__(self, campaign_id: _Optional[str] = ..., after_experiment_id: _Optional[str] = ..., max_rows: _Optional[int] = ...) -> None: ...

class ExportPage(_message.Message):
    __slots__ = ["more", "rows"]
    MORE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    more: bool
    rows: _containers.RepeatedCompositeFieldContainer[ExperimentRow]
    def __init__(self, rows: _Optional[_Iterable[_Union[ExperimentRow, _Mapping]]] = ..., more: bool = ...) -> None: ...

class GetCampaign(_message.Message):
    __slots__ = ["campaign_id"]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    def __init__(self, campaign_id: _Optional[str] = ...) -> None: ...

class GetSchedule(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class InstrumentList(_message.Message):
    __slots__ = ["instruments"]
    INSTRUMENTS_FIELD_NUMBER: _ClassVar[int]
    instruments: _containers.RepeatedCompositeFieldContainer[InstrumentSummary]
    def __init__(self, instruments: _Optional[_Iterable[_Union[InstrumentSummary, _Mapping]]] = ...) -> None: ...

class InstrumentSummary(_message.Message):
    __slots__ = ["capacity", "connected", "current_experiments", "draining", "instrument_id", "kind", "last_seen_unix_ms", "operations", "running", "utilisation"]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    CONNECTED_FIELD_NUMBER: _ClassVar[int]
    CURRENT_EXPERIMENTS_FIELD_NUMBER: _ClassVar[int]
    DRAINING_FIELD_NUMBER: _ClassVar[int]
    INSTRUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    UTILISATION_FIELD_NUMBER: _ClassVar[int]
    capacity: int
    connected: bool
    current_experiments: _containers.RepeatedScalarFieldContainer[str]
    draining: bool
    instrument_id: str
    kind: str
    last_seen_unix_ms: int
    operations: _containers.RepeatedScalarFieldContainer[str]
    running: int
    utilisation: float
    def __init__(self, instrument_id: _Optional[str] = ..., kind: _Optional[str] = ..., connected: bool = ..., capacity: _Optional[int] = ..., running: _Optional[int] = ..., operations: _Optional[_Iterable[str]] = ..., last_seen_unix_ms: _Optional[int] = ..., current_experiments: _Optional[_Iterable[str]] = ..., draining: bool = ..., utilisation: _Optional[float] = ...) -> None: ...

class ListCampaigns(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListInstruments(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class PauseCampaign(_message.Message):
    __slots__ = ["campaign_id"]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    def __init__(self, campaign_id: _Optional[str] = ...) -> None: ...

class ProjectShare(_message.Message):
    __slots__ = ["active", "entitlement", "project", "received", "running", "weight"]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    ENTITLEMENT_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    active: bool
    entitlement: float
    project: str
    received: float
    running: int
    weight: float
    def __init__(self, project: _Optional[str] = ..., weight: _Optional[float] = ..., active: bool = ..., entitlement: _Optional[float] = ..., received: _Optional[float] = ..., running: _Optional[int] = ...) -> None: ...

class RejectExperiments(_message.Message):
    __slots__ = ["campaign_id", "experiment_ids", "reason"]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    experiment_ids: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    def __init__(self, campaign_id: _Optional[str] = ..., experiment_ids: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ...) -> None: ...

class ResumeCampaign(_message.Message):
    __slots__ = ["campaign_id"]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    def __init__(self, campaign_id: _Optional[str] = ...) -> None: ...

class Schedule(_message.Message):
    __slots__ = ["projects", "waiting"]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    projects: _containers.RepeatedCompositeFieldContainer[ProjectShare]
    waiting: _containers.RepeatedCompositeFieldContainer[WaitingExperiment]
    def __init__(self, projects: _Optional[_Iterable[_Union[ProjectShare, _Mapping]]] = ..., waiting: _Optional[_Iterable[_Union[WaitingExperiment, _Mapping]]] = ...) -> None: ...

class SubmitCampaign(_message.Message):
    __slots__ = ["spec"]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    spec: _common_pb2.CampaignSpec
    def __init__(self, spec: _Optional[_Union[_common_pb2.CampaignSpec, _Mapping]] = ...) -> None: ...

class WaitingExperiment(_message.Message):
    __slots__ = ["campaign_id", "experiment_id", "project", "reason"]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    experiment_id: str
    project: str
    reason: str
    def __init__(self, experiment_id: _Optional[str] = ..., campaign_id: _Optional[str] = ..., project: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

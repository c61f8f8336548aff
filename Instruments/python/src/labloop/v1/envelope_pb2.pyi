from labloop.v1 import common_pb2 as _common_pb2
from labloop.v1 import agent_pb2 as _agent_pb2
from labloop.v1 import model_pb2 as _model_pb2
from labloop.v1 import events_pb2 as _events_pb2
from labloop.v1 import control_pb2 as _control_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Envelope(_message.Message):
    __slots__ = ["agent_hello", "agent_welcome", "assignment", "assignment_accepted", "assignment_declined", "cancel", "catch_up_request", "catch_up_response", "control_reply", "control_request", "correlation_id", "disconnect", "error", "event", "heartbeat", "message_id", "model_hello", "model_welcome", "progress", "proposal_ack", "proposal_request", "proposals", "protocol_version", "result", "result_ack", "sender", "sent_unix_ms", "session_seq", "stream_heartbeat"]
    AGENT_HELLO_FIELD_NUMBER: _ClassVar[int]
    AGENT_WELCOME_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_DECLINED_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    CATCH_UP_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CATCH_UP_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    CONTROL_REPLY_FIELD_NUMBER: _ClassVar[int]
    CONTROL_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    DISCONNECT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_HELLO_FIELD_NUMBER: _ClassVar[int]
    MODEL_WELCOME_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    PROPOSALS_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ACK_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_REQUEST_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    RESULT_ACK_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    SENDER_FIELD_NUMBER: _ClassVar[int]
    SENT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    SESSION_SEQ_FIELD_NUMBER: _ClassVar[int]
    STREAM_HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    agent_hello: _agent_pb2.AgentHello
    agent_welcome: _agent_pb2.AgentWelcome
    assignment: _agent_pb2.Assignment
    assignment_accepted: _agent_pb2.AssignmentAccepted
    assignment_declined: _agent_pb2.AssignmentDeclined
    cancel: _agent_pb2.Cancel
    catch_up_request: _events_pb2.CatchUpRequest
    catch_up_response: _events_pb2.CatchUpResponse
    control_reply: _control_pb2.ControlReply
    control_request: _control_pb2.ControlRequest
    correlation_id: str
    disconnect: _agent_pb2.Disconnect
    error: _common_pb2.ErrorReply
    event: _events_pb2.Event
    heartbeat: _agent_pb2.Heartbeat
    message_id: str
    model_hello: _model_pb2.ModelHello
    model_welcome: _model_pb2.ModelWelcome
    progress: _agent_pb2.Progress
    proposal_ack: _model_pb2.ProposalAck
    proposal_request: _model_pb2.ProposalRequest
    proposals: _model_pb2.Proposals
    protocol_version: int
    result: _agent_pb2.ExperimentResult
    result_ack: _agent_pb2.ResultAck
    sender: str
    sent_unix_ms: int
    session_seq: int
    stream_heartbeat: _events_pb2.StreamHeartbeat
    def __init__(self, protocol_version: _Optional[int] = ..., message_id: _Optional[str] = ..., sender: _Optional[str] = ..., session_seq: _Optional[int] = ..., correlation_id: _Optional[str] = ..., sent_unix_ms: _Optional[int] = ..., error: _Optional[_Union[_common_pb2.ErrorReply, _Mapping]] = ..., heartbeat: _Optional[_Union[_agent_pb2.Heartbeat, _Mapping]] = ..., disconnect: _Optional[_Union[_agent_pb2.Disconnect, _Mapping]] = ..., agent_hello: _Optional[_Union[_agent_pb2.AgentHello, _Mapping]] = ..., agent_welcome: _Optional[_Union[_agent_pb2.AgentWelcome, _Mapping]] = ..., assignment: _Optional[_Union[_agent_pb2.Assignment, _Mapping]] = ..., assignment_accepted: _Optional[_Union[_agent_pb2.AssignmentAccepted, _Mapping]] = ..., assignment_declined: _Optional[_Union[_agent_pb2.AssignmentDeclined, _Mapping]] = ..., progress: _Optional[_Union[_agent_pb2.Progress, _Mapping]] = ..., result: _Optional[_Union[_agent_pb2.ExperimentResult, _Mapping]] = ..., result_ack: _Optional[_Union[_agent_pb2.ResultAck, _Mapping]] = ..., cancel: _Optional[_Union[_agent_pb2.Cancel, _Mapping]] = ..., model_hello: _Optional[_Union[_model_pb2.ModelHello, _Mapping]] = ..., model_welcome: _Optional[_Union[_model_pb2.ModelWelcome, _Mapping]] = ..., proposal_request: _Optional[_Union[_model_pb2.ProposalRequest, _Mapping]] = ..., proposals: _Optional[_Union[_model_pb2.Proposals, _Mapping]] = ..., proposal_ack: _Optional[_Union[_model_pb2.ProposalAck, _Mapping]] = ..., event: _Optional[_Union[_events_pb2.Event, _Mapping]] = ..., stream_heartbeat: _Optional[_Union[_events_pb2.StreamHeartbeat, _Mapping]] = ..., catch_up_request: _Optional[_Union[_events_pb2.CatchUpRequest, _Mapping]] = ..., catch_up_response: _Optional[_Union[_events_pb2.CatchUpResponse, _Mapping]] = ..., control_request: _Optional[_Union[_control_pb2.ControlRequest, _Mapping]] = ..., control_reply: _Optional[_Union[_control_pb2.ControlReply, _Mapping]] = ...) -> None: ...

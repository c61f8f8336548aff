"""LabLoop peers in Python: an instrument :class:`Agent` and a :class:`ModelService`.

The wire protocol (``Docs/protocol.md``) is implemented here; the generated messages are in
``labloop.v1``. See ``Docs/agents.md`` for complete examples.
"""

from .agent import Agent, Job, Limit, Measurements, Operation
from .connection import Connection, CurveKeys, Endpoints, KeyFile, load_key_file, load_server_key
from .errors import ConfigurationError, ExperimentFailed, KeyFileError, LabLoopError
from .model import Candidate, ModelService, Observation, ProposalContext, Strategy
from .session import run_until_signalled
from .space import Constraint, Parameter, Space

__version__ = "0.1.0"

__all__ = [
    "Agent", "Candidate", "ConfigurationError", "Connection", "Constraint", "CurveKeys", "Endpoints",
    "ExperimentFailed", "Job", "KeyFile", "KeyFileError", "LabLoopError", "Limit", "Measurements", "ModelService",
    "Observation", "Operation", "Parameter", "ProposalContext", "Space", "Strategy", "load_key_file",
    "load_server_key", "run_until_signalled",
]

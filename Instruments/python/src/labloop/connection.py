"""Finding and connecting to a coordinator: endpoints, LabLoop key files, CURVE and socket options."""

from __future__ import annotations

import json
import logging
import os
import random
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Optional, Union

import zmq
from zmq.utils.monitor import recv_monitor_message

from .errors import ConfigurationError, KeyFileError

PathLike = Union[str, "os.PathLike[str]"]

Z85_ALPHABET = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")
ROLES = ("agent", "model", "operator", "observer")
MAX_MESSAGE_BYTES = 4 << 20

_KEY_FILE_NAMES = ("principal", "role", "public-key", "secret-key")
_logger = logging.getLogger("labloop.connection")


def is_z85_key(text: str) -> bool:
    """True if ``text`` is a Z85-encoded 32-byte Curve25519 key (40 characters)."""
    return len(text) == 40 and all(c in Z85_ALPHABET for c in text)


@dataclass(frozen=True)
class KeyFile:
    """A LabLoop key file: ``NAME.key`` (with the secret half) or ``NAME.pub`` (public half only)."""

    path: Path
    principal: str
    role: str
    public_key: str
    secret_key: Optional[str] = field(default=None, repr=False)


def load_key_file(path: PathLike) -> KeyFile:
    """Reads a ``.key`` or ``.pub`` file as ``labloop keys generate`` writes it.

    UTF-8 lines; blank lines and ``#`` comments are ignored; every other line is ``name = value``.
    Raises :class:`KeyFileError` naming the file and line for anything else.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KeyFileError(path, f"cannot read the key file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise KeyFileError(path, "not UTF-8 text: is this a LabLoop key file?") from None
    values: Dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise KeyFileError(path, f"expected 'name = value', found {raw.strip()!r}", number)
        if name not in _KEY_FILE_NAMES:
            raise KeyFileError(path, f"unknown name {name!r} (known: {', '.join(_KEY_FILE_NAMES)})", number)
        if name in values:
            raise KeyFileError(path, f"{name!r} is given twice", number)
        if name in ("public-key", "secret-key") and not is_z85_key(value):
            raise KeyFileError(path, f"{name} must be a 40-character Z85 key, found {len(value)} characters", number)
        if name == "role" and value not in ROLES:
            raise KeyFileError(path, f"role must be one of {', '.join(ROLES)}, found {value!r}", number)
        if name == "principal" and not value:
            raise KeyFileError(path, "principal must not be empty", number)
        values[name] = value
    for required in ("principal", "role", "public-key"):
        if required not in values:
            raise KeyFileError(path, f"missing '{required} = …'")
    secret = values.get("secret-key")
    if secret is not None:
        _check_secret_file(path, values["public-key"], secret)
    return KeyFile(path=path, principal=values["principal"], role=values["role"],
                   public_key=values["public-key"], secret_key=secret)


def _check_secret_file(path: Path, public: str, secret: str) -> None:
    if zmq.has("curve") and zmq.curve_public(secret.encode()).decode() != public:
        raise KeyFileError(path, "public-key does not belong to secret-key: regenerate the pair with labloop keys generate")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(path, f"the secret key is readable by others (mode {mode:o}): chmod 600 {path}")


def load_server_key(value: str) -> str:
    """The coordinator's public key from a Z85 string or from a ``.pub``/``.key`` file."""
    if is_z85_key(value):
        return value
    if os.path.exists(value):
        return load_key_file(value).public_key
    raise ConfigurationError(
        f"server key {value!r} is neither a 40-character Z85 key nor a key file: pass the coordinator's "
        "coordinator.pub or the serverKey from its coordinator.json")


@dataclass(frozen=True)
class Endpoints:
    """The coordinator's five endpoints (and its public key when it runs with CURVE)."""

    agents: str = "tcp://127.0.0.1:7750"
    models: str = "tcp://127.0.0.1:7751"
    control: str = "tcp://127.0.0.1:7752"
    events: str = "tcp://127.0.0.1:7753"
    catch_up: str = "tcp://127.0.0.1:7754"
    server_key: Optional[str] = None

    @classmethod
    def from_file(cls, path: PathLike) -> "Endpoints":
        """Reads ``<data dir>/coordinator.json``. Members other than the endpoints and ``serverKey`` are ignored."""
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except OSError as error:
            raise ConfigurationError(
                f"cannot read the endpoints file {path}: {error.strerror or error} "
                "(is `labloop serve --data DIR` running, and is this DIR/coordinator.json?)") from None
        except ValueError as error:
            raise ConfigurationError(f"{path} is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise ConfigurationError(f"{path}: expected a JSON object with the coordinator's endpoints")
        members = {"agents": "agents", "models": "models", "control": "control", "events": "events",
                   "catchUp": "catch_up"}
        found: Dict[str, Optional[str]] = {}
        for key, name in members.items():
            value = document.get(key)
            if not isinstance(value, str) or not value:
                raise ConfigurationError(f"{path}: member {key!r} is missing or not a string")
            found[name] = value
        server_key = document.get("serverKey")
        if server_key is not None and not (isinstance(server_key, str) and is_z85_key(server_key)):
            raise ConfigurationError(f"{path}: serverKey must be a 40-character Z85 key")
        found["server_key"] = server_key
        return cls(**found)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CurveKeys:
    """What a CURVE client needs: the coordinator's public key and its own key pair."""

    server_key: str
    public_key: str
    secret_key: str = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("server_key", "public_key", "secret_key"):
            if not is_z85_key(getattr(self, name)):
                raise ConfigurationError(f"{name} must be a 40-character Z85 key")


@dataclass(frozen=True)
class Connection:
    """How a peer reaches the coordinator: endpoints, and CURVE keys unless the coordinator is insecure.

    ``principal`` is the key file's principal; every envelope the peer sends carries it as ``sender``.
    """

    endpoints: Endpoints
    curve: Optional[CurveKeys] = None
    principal: Optional[str] = None

    @classmethod
    def open(cls, coordinator_file: Optional[PathLike] = None, *, endpoints: Optional[Endpoints] = None,
             key_file: Optional[PathLike] = None, server_key: Optional[str] = None) -> "Connection":
        """Builds a connection from ``coordinator.json`` (or explicit ``endpoints``) and an optional key file.

        With ``key_file`` the sockets use CURVE: the server key is ``server_key`` (a Z85 key or a
        ``.pub`` file) or else the ``serverKey`` in ``coordinator.json``. Without it they connect plainly,
        which only a coordinator started with ``labloop serve --insecure`` accepts.
        """
        if (coordinator_file is None) == (endpoints is None):
            raise ConfigurationError("give exactly one of coordinator_file and endpoints")
        if coordinator_file is not None:
            endpoints = Endpoints.from_file(coordinator_file)
        assert endpoints is not None
        if key_file is None:
            if server_key is not None:
                raise ConfigurationError("a server key was given without a key file: pass key_file (your NAME.key) too")
            if endpoints.server_key:
                _logger.warning("the coordinator publishes a server key but no key file was given: connecting "
                                "without CURVE, which only `labloop serve --insecure` accepts")
            return cls(endpoints=endpoints)
        keys = load_key_file(key_file)
        if keys.secret_key is None:
            raise KeyFileError(keys.path, "this is a public key file (.pub): give the secret .key file of this peer")
        server = load_server_key(server_key) if server_key is not None else endpoints.server_key
        if server is None:
            raise ConfigurationError("CURVE needs the coordinator's public key: pass server_key (its coordinator.pub "
                                     "or Z85 key), or read coordinator.json of a coordinator that writes serverKey")
        if not zmq.has("curve"):
            raise ConfigurationError("this libzmq was built without CURVE support (zmq.has('curve') is False)")
        return cls(endpoints=endpoints, curve=CurveKeys(server, keys.public_key, keys.secret_key),
                   principal=keys.principal)

    def sender(self, requested: Optional[str], what: str) -> str:
        """The envelope sender: the requested id, which must equal the key file's principal if there is one."""
        if requested and self.principal and requested != self.principal:
            raise ConfigurationError(
                f"{what} {requested!r} differs from the key file's principal {self.principal!r}: the coordinator "
                "refuses envelopes whose sender is not the principal, so use the principal or another key file")
        sender = requested or self.principal
        if not sender:
            raise ConfigurationError(f"no {what}: pass one, or a key file whose principal names this peer")
        return sender

    def socket(self, context: zmq.Context, kind: int, endpoint: str,
               subscriptions: Iterable[bytes] = ()) -> zmq.Socket:
        """A connected DEALER or SUB with the options of protocol.md §4 and, with keys, CURVE."""
        sock = context.socket(kind)
        try:
            configure_socket(sock, self.curve)
            for prefix in subscriptions:
                sock.setsockopt(zmq.SUBSCRIBE, prefix)
            sock.connect(endpoint)
        except zmq.ZMQError as error:
            sock.close(linger=0)
            raise ConfigurationError(f"cannot connect to {endpoint}: {error}") from None
        return sock


HANDSHAKE_FAILED = (zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
                    | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)


class PeerSocket:
    """A socket to the coordinator that connects again after a refused CURVE handshake.

    libzmq does not retry an endpoint whose handshake failed (a key not allowed yet, a wrong server
    key), so a socket monitor watches for that and ``check`` reconnects 1–2 s later, logging why.
    Owned by one thread, like any ZeroMQ socket.
    """

    def __init__(self, connection: "Connection", context: zmq.Context, kind: int, endpoint: str,
                 subscriptions: Iterable[bytes] = (), logger: Optional[logging.Logger] = None) -> None:
        self.endpoint = endpoint
        self.logger = logger or _logger
        self.socket = connection.socket(context, kind, endpoint, subscriptions)
        self._monitor: Optional[zmq.Socket] = None
        self._retry_at: Optional[float] = None
        if connection.curve is not None:
            self._monitor = self.socket.get_monitor_socket(HANDSHAKE_FAILED)

    def check(self, now: float) -> None:
        """Reads the monitor; reconnects when a refused handshake's wait is over. Call it often."""
        if self._monitor is None:
            return
        while self._monitor.poll(0):
            event = recv_monitor_message(self._monitor)
            if self._retry_at is not None:
                continue
            if event["event"] == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                self.logger.warning("the coordinator refused this peer's key at %s: is its .pub allowed there "
                                    "(labloop keys allow NAME.pub)? retrying", self.endpoint)
            else:
                self.logger.warning("the CURVE handshake with %s failed: is the server key right? retrying",
                                    self.endpoint)
            self._retry_at = now + 1.0 + random.random()
        if self._retry_at is not None and now >= self._retry_at:
            self._retry_at = None
            self.socket.disconnect(self.endpoint)
            self.socket.connect(self.endpoint)

    def close(self, linger: int = 500) -> None:
        if self._monitor is not None:
            self.socket.disable_monitor()
            self._monitor.close(linger=0)
        self.socket.close(linger=linger)


def configure_socket(sock: zmq.Socket, curve: Optional[CurveKeys]) -> None:
    """Sets protocol.md §4's peer options, then the CURVE client keys if any (before connecting)."""
    values = {
        zmq.RECONNECT_IVL: 1000 + random.randint(0, 1000),  # jitter: peers do not reconnect in step
        zmq.RECONNECT_IVL_MAX: 5000,
        zmq.LINGER: 500,
        zmq.MAXMSGSIZE: MAX_MESSAGE_BYTES,
        zmq.HANDSHAKE_IVL: 5000,
        zmq.HEARTBEAT_IVL: 2000,
        zmq.HEARTBEAT_TIMEOUT: 6000,
        zmq.HEARTBEAT_TTL: 6000,
        zmq.SNDHWM: 10_000,
        zmq.RCVHWM: 100_000 if sock.type == zmq.SUB else 10_000,
    }
    for option, value in values.items():
        sock.setsockopt(option, value)
    if curve is not None:
        sock.setsockopt(zmq.CURVE_SERVERKEY, curve.server_key.encode("ascii"))
        sock.setsockopt(zmq.CURVE_PUBLICKEY, curve.public_key.encode("ascii"))
        sock.setsockopt(zmq.CURVE_SECRETKEY, curve.secret_key.encode("ascii"))

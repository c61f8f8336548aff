"""Test helpers: the SDK from this checkout, key pairs, a ZAP handler and a fake coordinator socket."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import zmq  # noqa: E402
from zmq.utils import z85  # noqa: E402

from labloop.v1 import envelope_pb2  # noqa: E402


def write_key_file(directory: str, name: str, role: str, *, secret: bool = True,
                   pair: Optional[Tuple[bytes, bytes]] = None, mode: int = 0o600) -> Tuple[Path, str, str]:
    """Writes NAME.key (or NAME.pub) as `labloop keys generate` does; returns (path, public, secret)."""
    public, secret_key = pair or zmq.curve_keypair()
    path = Path(directory) / f"{name}.{'key' if secret else 'pub'}"
    lines = ["# LabLoop secret key. Keep this file private (mode 0600); never copy it off this host.",
             f"principal = {name}", f"role = {role}", f"public-key = {public.decode()}"]
    if secret:
        lines.append(f"secret-key = {secret_key.decode()}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(path, mode)
    return path, public.decode(), secret_key.decode()


class ZapHandler:
    """A default-deny ZAP handler: allows the listed client keys and reports their principal as User-Id."""

    def __init__(self, context: zmq.Context, allowed: dict) -> None:
        self.allowed = allowed  # Z85 public key -> principal
        self.socket = context.socket(zmq.REP)
        self.socket.bind("inproc://zeromq.zap.01")
        self.requests: List[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        while not self._stop.is_set():
            if not poller.poll(50):
                continue
            version, request_id, domain, address, identity, mechanism, *credentials = self.socket.recv_multipart()
            key = z85.encode(credentials[0]).decode() if mechanism == b"CURVE" else ""
            principal = self.allowed.get(key)
            self.requests.append(key)
            status = (b"200", b"OK") if principal else (b"400", b"unknown key")
            self.socket.send_multipart([version, request_id, status[0], status[1],
                                        (principal or "").encode(), b""])

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close(linger=0)


class FakeCoordinator:
    """An agents ROUTER on a free loopback port, driven by the test: receive envelopes, send replies."""

    def __init__(self) -> None:
        self.context = zmq.Context()
        self.router = self.context.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.LINGER, 0)
        port = self.router.bind_to_random_port("tcp://127.0.0.1")
        self.endpoint = f"tcp://127.0.0.1:{port}"
        self.peer: Optional[bytes] = None

    def receive(self, timeout: float = 5.0, want: Optional[str] = None) -> envelope_pb2.Envelope:
        """The next envelope (of body type ``want``, skipping others such as heartbeats)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.router.poll(int(max(1, (deadline - time.monotonic()) * 1000))):
                break
            routing_id, frame = self.router.recv_multipart()
            self.peer = routing_id
            envelope = envelope_pb2.Envelope()
            envelope.ParseFromString(frame)
            if want is None or envelope.WhichOneof("body") == want:
                return envelope
        raise AssertionError(f"no {want or 'message'} from the peer within {timeout} s")

    def send(self, body_field: str, body, correlation_id: str = "") -> str:
        assert self.peer is not None, "the peer has not spoken yet"
        envelope = envelope_pb2.Envelope(protocol_version=1, message_id=str(uuid.uuid4()), sender="coordinator",
                                         correlation_id=correlation_id)
        getattr(envelope, body_field).CopyFrom(body)
        self.router.send_multipart([self.peer, envelope.SerializeToString()])
        return envelope.message_id

    def close(self) -> None:
        self.router.close(linger=0)
        self.context.term()


def temporary_directory(test) -> str:
    directory = tempfile.TemporaryDirectory()
    test.addCleanup(directory.cleanup)
    return directory.name


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()

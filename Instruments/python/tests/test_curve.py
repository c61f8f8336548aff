"""Connection sockets against a small CURVE server with a default-deny ZAP handler, and a plain one."""

from __future__ import annotations

import time
import unittest

import support  # noqa: F401  (puts the SDK on sys.path)
import zmq

from labloop import Connection, CurveKeys, Endpoints
from labloop.connection import PeerSocket
from support import ZapHandler, temporary_directory, write_key_file


class CurveConnectionTests(unittest.TestCase):
    def setUp(self) -> None:
        if not zmq.has("curve"):
            self.skipTest("libzmq without CURVE")
        self.context = zmq.Context()
        self.addCleanup(self.context.term)
        server_public, server_secret = zmq.curve_keypair()
        self.server_public = server_public.decode()
        directory = temporary_directory(self)
        self.key_file, self.client_public, _ = write_key_file(directory, "reactor-1", "agent")
        self.zap = ZapHandler(self.context, {self.client_public: "reactor-1"})  # bound before any server socket
        self.addCleanup(self.zap.close)
        self.router = self.server_socket(zmq.ROUTER, server_secret)
        self.pub = self.server_socket(zmq.PUB, server_secret)
        self.endpoints = Endpoints(agents=self.router.last_endpoint.decode(), events=self.pub.last_endpoint.decode(),
                                   server_key=self.server_public)

    def server_socket(self, kind: int, secret: bytes) -> zmq.Socket:
        sock = self.context.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.CURVE_SERVER, 1)
        sock.setsockopt(zmq.CURVE_SECRETKEY, secret)
        sock.setsockopt(zmq.ZAP_DOMAIN, b"agents")
        sock.bind("tcp://127.0.0.1:*")
        self.addCleanup(sock.close)
        return sock

    def client(self, connection: Connection, kind: int, endpoint: str, **kwargs) -> zmq.Socket:
        sock = connection.socket(self.context, kind, endpoint, **kwargs)
        sock.setsockopt(zmq.LINGER, 0)
        self.addCleanup(sock.close)
        return sock

    def test_dealer_is_authenticated_as_the_key_files_principal(self) -> None:
        connection = Connection.open(endpoints=self.endpoints, key_file=self.key_file)
        dealer = self.client(connection, zmq.DEALER, self.endpoints.agents)
        dealer.send(b"hello")
        self.assertTrue(self.router.poll(5000), "the CURVE server got nothing")
        routing_id, body = self.router.recv_multipart(copy=False)
        self.assertEqual(body.bytes, b"hello")
        self.assertEqual(body.get("User-Id"), "reactor-1")
        self.assertEqual(self.zap.requests, [self.client_public])

    def test_sub_socket_uses_curve_too(self) -> None:
        connection = Connection.open(endpoints=self.endpoints, key_file=self.key_file)
        sub = self.client(connection, zmq.SUB, self.endpoints.events, subscriptions=[b"hb"])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # a subscription takes a moment to reach the PUB
            self.pub.send_multipart([b"hb", b"beat"])
            if sub.poll(50):
                self.assertEqual(sub.recv_multipart(), [b"hb", b"beat"])
                self.assertIn(self.client_public, self.zap.requests)
                return
        self.fail("the SUB socket received nothing over CURVE")

    def test_unknown_client_key_and_wrong_server_key_get_nothing_through(self) -> None:
        stranger = CurveKeys(self.server_public, *(k.decode() for k in zmq.curve_keypair()))
        wrong_server = CurveKeys(zmq.curve_keypair()[0].decode(), *(k.decode() for k in zmq.curve_keypair()))
        plain = Connection(endpoints=self.endpoints)
        for curve in (stranger, wrong_server, None):
            with self.subTest(curve=curve):
                dealer = self.client(Connection(endpoints=self.endpoints, curve=curve) if curve else plain,
                                     zmq.DEALER, self.endpoints.agents)
                dealer.send(b"let me in")
                self.assertFalse(self.router.poll(700), "a peer without an allowed key got through")


    def test_a_refused_key_is_retried_once_the_coordinator_allows_it(self) -> None:
        del self.zap.allowed[self.client_public]  # not allowed yet: the handshake fails
        connection = Connection.open(endpoints=self.endpoints, key_file=self.key_file)
        link = PeerSocket(connection, self.context, zmq.DEALER, self.endpoints.agents)
        self.addCleanup(link.close, 0)
        with self.assertLogs("labloop.connection", "WARNING") as logs:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                link.check(time.monotonic())
                if self.zap.requests and self.client_public not in self.zap.allowed:
                    self.zap.allowed[self.client_public] = "reactor-1"  # allowed after the first refusal
                try:
                    link.socket.send(b"hello", zmq.NOBLOCK)
                except zmq.Again:
                    pass  # no connection while refused
                if self.router.poll(100):
                    break
            else:
                self.fail("the socket never got through after its key was allowed")
        self.assertIn("refused this peer's key", logs.output[0])
        self.assertGreaterEqual(len(self.zap.requests), 2, "a second handshake after the refusal")


class PlainConnectionTests(unittest.TestCase):
    def test_without_keys_the_socket_is_plain(self) -> None:
        context = zmq.Context()
        self.addCleanup(context.term)
        router = context.socket(zmq.ROUTER)
        router.setsockopt(zmq.LINGER, 0)
        self.addCleanup(router.close)
        router.bind("tcp://127.0.0.1:*")
        connection = Connection(endpoints=Endpoints(agents=router.last_endpoint.decode()))
        dealer = connection.socket(context, zmq.DEALER, connection.endpoints.agents)
        dealer.setsockopt(zmq.LINGER, 0)
        self.addCleanup(dealer.close)
        self.assertEqual(dealer.getsockopt(zmq.MECHANISM), zmq.NULL)
        self.assertEqual(dealer.getsockopt(zmq.MAXMSGSIZE), 4 << 20)
        self.assertGreaterEqual(dealer.getsockopt(zmq.RECONNECT_IVL), 1000)
        dealer.send(b"plain")
        self.assertTrue(router.poll(5000))
        self.assertEqual(router.recv_multipart()[1], b"plain")


if __name__ == "__main__":
    unittest.main()

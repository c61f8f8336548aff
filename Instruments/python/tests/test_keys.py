"""Key files, endpoints files and how a Connection is put together from them."""

from __future__ import annotations

import json
import os
import unittest

import support  # noqa: F401  (puts the SDK on sys.path)
import zmq

from labloop import ConfigurationError, Connection, Endpoints, KeyFileError, load_key_file, load_server_key
from support import temporary_directory, write_key_file


class KeyFileTests(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = temporary_directory(self)

    def write(self, text: str, name: str = "x.key", mode: int = 0o600) -> str:
        path = os.path.join(self.directory, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, mode)
        return path

    def test_reads_a_secret_key_file(self) -> None:
        path, public, secret = write_key_file(self.directory, "reactor-1", "agent")
        keys = load_key_file(path)
        self.assertEqual((keys.principal, keys.role, keys.public_key, keys.secret_key),
                         ("reactor-1", "agent", public, secret))
        self.assertNotIn(secret, repr(keys), "the secret key must never appear in a repr (logs)")

    def test_reads_a_public_key_file_with_comments_blank_lines_and_no_spaces(self) -> None:
        public, _ = zmq.curve_keypair()
        keys = load_key_file(self.write(f"# c\n\nprincipal=lab\n  role =model  \npublic-key= {public.decode()}\n",
                                        "lab.pub", 0o644))
        self.assertEqual((keys.principal, keys.role, keys.public_key, keys.secret_key),
                         ("lab", "model", public.decode(), None))

    def test_refuses_malformed_files_naming_the_line(self) -> None:
        public, secret = (k.decode() for k in zmq.curve_keypair())
        good = f"principal = a\nrole = agent\npublic-key = {public}\n"
        cases = {
            good + "colour = blue\n": (4, "unknown name 'colour'"),
            good + "principal = b\n": (4, "'principal' is given twice"),
            "principal = a\nrole = admin\n": (2, "role must be one of agent, model, operator, observer"),
            "principal = a\nrole = agent\npublic-key = short\n": (3, "40-character Z85"),
            "principal = a\nrole = agent\npublic-key = " + "~" * 40 + "\n": (3, "40-character Z85"),
            "just words\n": (1, "expected 'name = value'"),
            "principal =\n": (1, "principal must not be empty"),
            "role = agent\n" + f"public-key = {public}\n": (None, "missing 'principal"),
            good + f"secret-key = {zmq.curve_keypair()[1].decode()}\n": (None, "does not belong to secret-key"),
        }
        for text, (line, message) in cases.items():
            with self.subTest(text=text):
                with self.assertRaises(KeyFileError) as caught:
                    load_key_file(self.write(text))
                self.assertIn(message, str(caught.exception))
                self.assertEqual(caught.exception.line, line)
        self.assertTrue(secret)

    def test_missing_file_is_a_clear_error(self) -> None:
        with self.assertRaisesRegex(KeyFileError, "cannot read the key file"):
            load_key_file(os.path.join(self.directory, "absent.key"))

    def test_refuses_a_secret_key_readable_by_others(self) -> None:
        path, _, _ = write_key_file(self.directory, "open", "agent", mode=0o640)
        with self.assertRaisesRegex(KeyFileError, "readable by others \\(mode 640\\): chmod 600"):
            load_key_file(path)
        public_only, _, _ = write_key_file(self.directory, "open", "agent", secret=False, mode=0o644)
        self.assertIsNone(load_key_file(public_only).secret_key, "a .pub file may be readable by anyone")

    def test_server_key_from_z85_or_pub_file(self) -> None:
        path, public, _ = write_key_file(self.directory, "coordinator", "operator", secret=False)
        self.assertEqual(load_server_key(public), public)
        self.assertEqual(load_server_key(str(path)), public)
        with self.assertRaisesRegex(ConfigurationError, "neither a 40-character Z85 key nor a key file"):
            load_server_key("nonsense")


class EndpointsTests(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = temporary_directory(self)
        self.server_public = zmq.curve_keypair()[0].decode()

    def write(self, document) -> str:
        path = os.path.join(self.directory, "coordinator.json")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(document if isinstance(document, str) else json.dumps(document))
        return path

    def endpoints(self, **extra) -> dict:
        document = {"agents": "tcp://127.0.0.1:1", "models": "tcp://127.0.0.1:2", "control": "tcp://127.0.0.1:3",
                    "events": "tcp://127.0.0.1:4", "catchUp": "tcp://127.0.0.1:5"}
        document.update(extra)
        return document

    def test_reads_escaped_slashes_ignores_unknown_members_and_reads_the_server_key(self) -> None:
        # Swift's JSONEncoder may escape "/" as "\/"; members a later coordinator adds are ignored.
        text = json.dumps(self.endpoints(serverKey=self.server_public, future="x")).replace("/", "\\/")
        found = Endpoints.from_file(self.write(text))
        self.assertEqual(found.agents, "tcp://127.0.0.1:1")
        self.assertEqual(found.catch_up, "tcp://127.0.0.1:5")
        self.assertEqual(found.server_key, self.server_public)

    def test_refuses_incomplete_or_broken_files(self) -> None:
        document = self.endpoints()
        del document["catchUp"]
        with self.assertRaisesRegex(ConfigurationError, "'catchUp' is missing"):
            Endpoints.from_file(self.write(document))
        with self.assertRaisesRegex(ConfigurationError, "not valid JSON"):
            Endpoints.from_file(self.write("{"))
        with self.assertRaisesRegex(ConfigurationError, "serverKey must be"):
            Endpoints.from_file(self.write(self.endpoints(serverKey="abc")))
        with self.assertRaisesRegex(ConfigurationError, "is `labloop serve --data DIR` running"):
            Endpoints.from_file(os.path.join(self.directory, "absent.json"))

    def test_connection_takes_the_server_key_from_coordinator_json_and_the_principal_from_the_key(self) -> None:
        key, public, secret = write_key_file(self.directory, "reactor-1", "agent")
        connection = Connection.open(self.write(self.endpoints(serverKey=self.server_public)), key_file=key)
        assert connection.curve is not None
        self.assertEqual((connection.curve.server_key, connection.curve.public_key, connection.curve.secret_key),
                         (self.server_public, public, secret))
        self.assertEqual(connection.sender(None, "instrument id"), "reactor-1")
        self.assertEqual(connection.sender("reactor-1", "instrument id"), "reactor-1")
        with self.assertRaisesRegex(ConfigurationError, "differs from the key file's principal 'reactor-1'"):
            connection.sender("reactor-2", "instrument id")

    def test_connection_without_keys_is_plain_and_keys_without_a_server_key_are_refused(self) -> None:
        plain = Connection.open(self.write(self.endpoints()))
        self.assertIsNone(plain.curve)
        with self.assertRaisesRegex(ConfigurationError, "no instrument id"):
            plain.sender(None, "instrument id")
        key, _, _ = write_key_file(self.directory, "reactor-1", "agent")
        with self.assertRaisesRegex(ConfigurationError, "CURVE needs the coordinator's public key"):
            Connection.open(self.write(self.endpoints()), key_file=key)
        explicit = Connection.open(self.write(self.endpoints()), key_file=key, server_key=self.server_public)
        self.assertIsNotNone(explicit.curve)
        public_only, _, _ = write_key_file(self.directory, "reactor-2", "agent", secret=False)
        with self.assertRaisesRegex(KeyFileError, "public key file"):
            Connection.open(self.write(self.endpoints(serverKey=self.server_public)), key_file=public_only)
        with self.assertRaisesRegex(ConfigurationError, "without a key file"):
            Connection.open(self.write(self.endpoints()), server_key=self.server_public)


if __name__ == "__main__":
    unittest.main()

"""Command-line plumbing shared by peer programs: how to reach the coordinator, and logging."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .connection import Connection, Endpoints
from .errors import ConfigurationError


def add_connection_arguments(parser: argparse.ArgumentParser, endpoint_help: str) -> None:
    """Adds --coordinator-file/--endpoint, --key, --server-key and --log-level."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--coordinator-file", metavar="PATH",
                       help="the coordinator's endpoints file, <data dir>/coordinator.json")
    where.add_argument("--endpoint", metavar="URL", help=endpoint_help)
    parser.add_argument("--key", metavar="PATH", default=os.environ.get("LABLOOP_KEY"),
                        help="this peer's secret key file (NAME.key) for CURVE (default $LABLOOP_KEY); "
                             "omit for a coordinator started --insecure")
    parser.add_argument("--server-key", metavar="KEY",
                        help="the coordinator's public key (Z85 or its coordinator.pub); default: serverKey "
                             "from --coordinator-file")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])


def connection_from_arguments(args: argparse.Namespace, endpoint_field: str) -> Connection:
    """The connection the arguments describe; ``--endpoint`` sets the ``endpoint_field`` endpoint."""
    if args.coordinator_file:
        return Connection.open(args.coordinator_file, key_file=args.key, server_key=args.server_key)
    endpoints = Endpoints(**({endpoint_field: args.endpoint} if args.endpoint else {}))
    return Connection.open(endpoints=endpoints, key_file=args.key, server_key=args.server_key)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def exit_on_configuration_error(error: ConfigurationError) -> None:
    print(f"error: {error}", file=sys.stderr)
    raise SystemExit(2)

"""Thin client for the Rushes daemon: connect, retry, typed helpers over the generated stubs.

Importable from Resolve's Python and any editor machine: it needs only grpcio and protobuf.
"""
from .client import DaemonUnavailable, RushesClient, connect, default_address
from .config import ClientConfig, ConfigError, load_client_config

__all__ = ["RushesClient", "DaemonUnavailable", "connect", "default_address", "ClientConfig", "ConfigError",
           "load_client_config"]

"""Free loopback ports for servers a test starts: below the OS's ephemeral range."""

from __future__ import annotations

import secrets
import socket

from services.broker.ports import ephemeral_port_range

LOWEST = 20000


def free_ports(count: int, lowest: int = LOWEST) -> list[int]:
    """`count` distinct ports free on loopback, from `lowest` up to the ephemeral range."""
    low, _ = ephemeral_port_range()
    found: list[int] = []
    for _ in range(200):
        port = lowest + secrets.randbelow(min(low, 32768) - lowest)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in found:
            found.append(port)
        if len(found) == count:
            return found
    raise AssertionError("no free ports below the ephemeral range on loopback")

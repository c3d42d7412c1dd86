"""The local broker's two ports: refused when equal or inside the OS's ephemeral range."""

from __future__ import annotations

from pathlib import Path

from services.broker.exceptions import BrokerPortError
from services.bus.settings import BusSettings

EPHEMERAL_PORTS_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
EPHEMERAL_PORTS_FALLBACK = (32768, 60999)  # Linux's default, used where the file is missing


def ephemeral_port_range(source: Path = EPHEMERAL_PORTS_FILE) -> tuple[int, int]:
    """The OS's ephemeral (client socket) port range, lowest and highest inclusive."""
    try:
        low, high = (int(part) for part in source.read_text(encoding="ascii").split())
    except (OSError, ValueError):
        return EPHEMERAL_PORTS_FALLBACK
    return low, high


def check_ports(settings: BusSettings, ephemeral: tuple[int, int]) -> None:
    """Refuse broker and controller ports that are equal or inside the `ephemeral` range."""
    broker, controller = settings.broker_port, settings.controller_port
    if broker == controller:
        raise BrokerPortError(
            f"JOINEDUP_BROKER_CONTROLLER_PORT equals JOINEDUP_BROKER_PORT ({broker}), but the "
            "broker and its KRaft controller need a port each: set JOINEDUP_BROKER_CONTROLLER_PORT "
            "to another port"
        )
    controller_name = "JOINEDUP_BROKER_CONTROLLER_PORT"
    if settings.broker_controller_port is None:
        controller_name = (
            "the controller port (JOINEDUP_BROKER_PORT + 1 while JOINEDUP_BROKER_CONTROLLER_PORT "
            "is unset)"
        )
    low, high = ephemeral
    for name, port, setting in (
        ("JOINEDUP_BROKER_PORT", broker, "JOINEDUP_BROKER_PORT"),
        (controller_name, controller, "JOINEDUP_BROKER_CONTROLLER_PORT"),
    ):
        if low <= port <= high:
            raise BrokerPortError(
                f"{name} is {port}, inside the OS's ephemeral port range {low}-{high} where "
                "client sockets can take it while the broker is down: "
                f"set {setting} to a port outside {low}-{high}"
            )

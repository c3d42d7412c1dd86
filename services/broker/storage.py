"""The local broker's data dir: its server.properties, its security mode, its first users.

The security mode (JOINEDUP_BROKER_SECURITY) is fixed when the data dir is
formatted, because the SCRAM users and ACLs live in the KRaft metadata: the
mode is recorded beside the metadata, and a start in the other mode is refused.
A data dir formatted before the broker was secured has no record and no
security files: it keeps running as it was formatted (PLAINTEXT, topics
created on first use) until it is removed, so a broker others rely on is not
changed under them.
"""

from __future__ import annotations

from pathlib import Path

from services.broker.exceptions import BrokerSecurityError
from services.broker.security_files import (
    ADMIN,
    BROKER,
    SCRAM_MECHANISM,
    SecurityFiles,
    client_password,
    missing,
    write_private,
)
from services.bus.settings import BusSettings

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "local"
SECURED = "sasl_ssl"
PLAINTEXT = "plaintext"
SECURITY_RECORD = "broker-security"


def log_dirs(settings: BusSettings) -> Path:
    """The broker's KRaft log dirs (metadata and topics)."""
    return settings.data_dir / "kraft"


def is_formatted(settings: BusSettings) -> bool:
    """True once `kafka.tools.StorageTool format` has written the data dir."""
    return (log_dirs(settings) / "meta.properties").is_file()


def is_unrecorded_plaintext(settings: BusSettings) -> bool:
    """True for a data dir formatted before the broker was secured: no record, no security files."""
    return (
        is_formatted(settings)
        and not (settings.data_dir / SECURITY_RECORD).is_file()
        and not SecurityFiles.of(settings).directory.exists()
    )


def recorded_security(settings: BusSettings) -> str | None:
    """The security mode the data dir was formatted in; None while it is not formatted."""
    if not is_formatted(settings):
        return None
    record = settings.data_dir / SECURITY_RECORD
    if record.is_file():
        return record.read_text(encoding="utf-8").strip()
    return PLAINTEXT if is_unrecorded_plaintext(settings) else SECURED


def security_in_force(settings: BusSettings) -> str:
    """The mode the broker runs in: the data dir's once formatted, else the setting's."""
    return recorded_security(settings) or settings.broker_security


def record_security(settings: BusSettings) -> None:
    """Note the settings' security mode as the one the data dir is formatted in."""
    (settings.data_dir / SECURITY_RECORD).write_text(
        f"{settings.broker_security}\n", encoding="utf-8"
    )


def _data_dir_named(settings: BusSettings) -> str:
    source = "JOINEDUP_BROKER_DATA_DIR"
    if settings.broker_data_dir is None:
        source = "the default data dir"
    return f"{settings.data_dir} ({source})"


def check_security_state(settings: BusSettings) -> None:
    """Refuse a formatted data dir in another security mode, or one missing its security files."""
    recorded = recorded_security(settings)
    if recorded is None or is_unrecorded_plaintext(settings):
        return
    where = _data_dir_named(settings)
    if recorded != settings.broker_security:
        raise BrokerSecurityError(
            f"JOINEDUP_BROKER_SECURITY is {settings.broker_security} but the broker data in "
            f"{where} was formatted with {recorded}, whose SCRAM users and ACLs live in its "
            f"metadata: set JOINEDUP_BROKER_SECURITY={recorded}, or remove {where} and start again"
        )
    absent = missing(SecurityFiles.of(settings)) if recorded == SECURED else []
    if absent:
        names = ", ".join(str(path.relative_to(settings.data_dir)) for path in absent)
        raise BrokerSecurityError(
            f"the broker data in {where} is formatted for SASL_SSL but its security files "
            f"are missing ({names}): remove {where} and start again"
        )


def render_properties(settings: BusSettings) -> str:
    """The broker's server.properties: the common template plus the mode's listeners."""
    security = security_in_force(settings)
    common = (DEPLOY_DIR / "server.properties").read_text(encoding="utf-8")
    mode = (DEPLOY_DIR / f"listeners-{security}.properties").read_text(encoding="utf-8")
    values: dict[str, object] = {
        "port": settings.broker_port,
        "controller_port": settings.controller_port,
        "log_dirs": log_dirs(settings).resolve(),
        "auto_create": str(is_unrecorded_plaintext(settings)).lower(),
    }
    if security == SECURED:
        files = SecurityFiles.of(settings)
        values |= {
            "admin_principal": ADMIN,
            "broker_principal": BROKER,
            "broker_password": client_password(settings, BROKER).get_secret_value(),
            "keystore": files.broker_keystore.resolve(),
            "ca": files.ca_cert.resolve(),
        }
    return f"{common.format(**values)}\n{mode.format(**values)}"


def write_properties(settings: BusSettings, path: Path) -> None:
    """Write the broker's server.properties to `path`, owner-only: it holds a password."""
    write_private(path, render_properties(settings).encode())


def scram_arguments(settings: BusSettings) -> list[str]:
    """The `format --add-scram` options that create the admin and broker SCRAM users."""
    if security_in_force(settings) != SECURED:
        return []
    arguments: list[str] = []
    for principal in (ADMIN, BROKER):
        password = client_password(settings, principal).get_secret_value()
        arguments += ["--add-scram", f"{SCRAM_MECHANISM}=[name={principal},password={password}]"]
    return arguments

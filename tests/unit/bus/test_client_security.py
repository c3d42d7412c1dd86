from pathlib import Path

import pytest
from pydantic import SecretStr

from services.bus.exceptions import SettingsError
from services.bus.security import ClientSecurity, read_client_file, security_from
from services.bus.settings import BusSettings

NOT_A_CA = "-----BEGIN CERTIFICATE-----\n"


def client_file(tmp_path: Path, **extra: str) -> Path:
    ca = tmp_path / "ca.pem"
    ca.write_text(NOT_A_CA)
    lines = {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "router",
        "sasl.password": "s3cret-router",
        "ssl.ca.location": str(ca),
        **extra,
    }
    path = tmp_path / "router.properties"
    path.write_text("# router's client\n" + "".join(f"{k}={v}\n" for k, v in lines.items()))
    return path


def test_a_client_file_gives_every_librdkafka_option(tmp_path):
    """The properties a broker start writes become librdkafka's options unchanged."""
    security = security_from(read_client_file(client_file(tmp_path)), {})

    assert security.librdkafka() == {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "router",
        "sasl.password": "s3cret-router",
        "ssl.ca.location": str(tmp_path / "ca.pem"),
    }


def test_aiokafka_gets_the_same_credentials_and_a_tls_context():
    """aiokafka's options carry the user, the password and a verifying TLS context."""
    security = ClientSecurity("SASL_SSL", "SCRAM-SHA-512", "gateway", SecretStr("pw"))

    options = security.aiokafka()

    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("gateway", "pw")
    assert options["ssl_context"].check_hostname


def test_settings_override_the_file_field_by_field(tmp_path):
    """A setting given replaces that one property; the others still come from the file."""
    security = security_from(
        read_client_file(client_file(tmp_path)),
        {"username": "thresholds", "password": SecretStr("other"), "protocol": None},
    )

    assert (security.username, security.protocol) == ("thresholds", "SASL_SSL")
    assert security.password == SecretStr("other")


def test_plaintext_without_a_file():
    """No file and no setting: PLAINTEXT with no credentials, as a plain cluster expects."""
    assert security_from({}, {}).librdkafka() == {"security.protocol": "PLAINTEXT"}


def test_sasl_without_a_password_is_refused():
    """SASL without its password fails naming the settings to give."""
    with pytest.raises(SettingsError, match="JOINEDUP_SASL_PASSWORD"):
        security_from({"security.protocol": "SASL_SSL", "sasl.username": "x"}, {})


def test_an_unknown_key_in_the_file_names_its_line(tmp_path):
    """A typo in the client file is reported with the file and line, not ignored."""
    path = client_file(tmp_path, **{"sasl.pasword": "x"})

    with pytest.raises(SettingsError, match=r"router\.properties, line 7"):
        read_client_file(path)


def test_an_unknown_protocol_is_refused():
    """Only Kafka's four protocols are accepted."""
    with pytest.raises(SettingsError, match="SASL_TLS"):
        security_from({"security.protocol": "SASL_TLS"}, {})


def test_a_missing_ca_file_is_refused(tmp_path):
    """A CA file that does not exist fails at start, naming the setting."""
    with pytest.raises(SettingsError, match="JOINEDUP_SSL_CA_FILE"):
        security_from({"security.protocol": "SSL"}, {"ca_file": tmp_path / "nope.pem"})


def test_the_password_never_shows_in_a_repr(tmp_path):
    """Logging the security value cannot leak the password."""
    security = security_from(read_client_file(client_file(tmp_path)), {})

    assert "s3cret-router" not in repr(security)


def test_production_refuses_plaintext(tmp_path):
    """Production mode with a PLAINTEXT cluster fails unless plaintext is allowed explicitly."""
    common = {
        "mode": "production",
        "child_ref_key": SecretStr("a-real-key"),
        "bootstrap_servers": "kafka:9092",
        "kafka_client_file": None,  # whatever the environment of the test run says
    }
    with pytest.raises(SettingsError, match="JOINEDUP_ALLOW_PLAINTEXT"):
        BusSettings(**common)

    assert BusSettings(**common, allow_plaintext=True).client_security.protocol == "PLAINTEXT"
    secured = BusSettings(**(common | {"kafka_client_file": client_file(tmp_path)}))
    assert secured.client_security.username == "router"


def test_the_local_broker_admin_file_is_the_default(tmp_path):
    """With the local broker and no file set, its admin principal's file is used when present."""
    clients = tmp_path / "broker-data" / "security" / "clients"
    clients.mkdir(parents=True)
    admin = client_file(clients)
    admin.rename(clients / "admin.properties")

    settings = BusSettings(home=tmp_path, kafka_client_file=None, bootstrap_servers=None)

    assert settings.client_file == clients / "admin.properties"
    assert settings.client_security.username == "router"
    remote = BusSettings(home=tmp_path, kafka_client_file=None, bootstrap_servers="kafka:9092")
    assert remote.client_file is None

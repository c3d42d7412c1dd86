"""The data dir's security mode, its refusals, and the server.properties of each mode."""

from __future__ import annotations

import pytest

from services.broker.exceptions import BrokerSecurityError
from services.broker.security_files import (
    ADMIN,
    BROKER,
    client_password,
    ensure_material,
)
from services.broker.storage import (
    check_security_state,
    record_security,
    recorded_security,
    render_properties,
    scram_arguments,
    security_in_force,
)
from services.bus.settings import BusSettings


def _settings(tmp_path, security: str, *, data_dir: bool = True) -> BusSettings:
    return BusSettings(
        broker_port=25092,
        broker_controller_port=25093,
        broker_data_dir=tmp_path / "data" if data_dir else None,
        home=tmp_path / "home",
        broker_security=security,
    )


def _formatted(settings: BusSettings, *, record: bool = True) -> BusSettings:
    """Leave the data dir as `format` does: meta.properties in the log dirs, the mode noted."""
    (settings.data_dir / "kraft").mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "kraft" / "meta.properties").write_text("node.id=1\n", encoding="utf-8")
    if record:
        record_security(settings)
    return settings


def _properties(text: str) -> dict[str, str]:
    lines = (line for line in text.splitlines() if line and not line.startswith("#"))
    return dict(line.split("=", 1) for line in lines)


class TestRecordedSecurity:
    def test_an_unformatted_data_dir_has_none(self, tmp_path):
        """Before `format`, no mode is fixed."""
        assert recorded_security(_settings(tmp_path, "sasl_ssl")) is None

    def test_the_noted_mode_is_read_back(self, tmp_path):
        """After `format`, the mode it was formatted in."""
        settings = _formatted(_settings(tmp_path, "plaintext"))

        assert recorded_security(settings) == "plaintext"

    def test_a_data_dir_from_before_the_setting_is_plaintext(self, tmp_path):
        """Formatted, no note and no security files: it was formatted PLAINTEXT."""
        settings = _formatted(_settings(tmp_path, "sasl_ssl"), record=False)

        assert recorded_security(settings) == "plaintext"


class TestCheckSecurityState:
    def test_a_fresh_data_dir_passes(self, tmp_path):
        """Nothing formatted yet: either mode may start."""
        check_security_state(_settings(tmp_path, "sasl_ssl"))
        check_security_state(_settings(tmp_path, "plaintext"))

    def test_the_same_mode_with_its_files_passes(self, tmp_path):
        """A SASL_SSL data dir with every security file starts again."""
        settings = _settings(tmp_path, "sasl_ssl")
        ensure_material(settings)

        check_security_state(_formatted(settings))

    def test_switching_to_plaintext_is_refused(self, tmp_path):
        """A SASL_SSL data dir started as plaintext: one sentence naming the setting."""
        secured = _settings(tmp_path, "sasl_ssl")
        ensure_material(secured)
        _formatted(secured)

        with pytest.raises(BrokerSecurityError) as refused:
            check_security_state(_settings(tmp_path, "plaintext"))

        assert str(refused.value) == (
            "JOINEDUP_BROKER_SECURITY is plaintext but the broker data in "
            f"{secured.data_dir} (JOINEDUP_BROKER_DATA_DIR) was formatted with sasl_ssl, whose "
            "SCRAM users and ACLs live in its metadata: set JOINEDUP_BROKER_SECURITY=sasl_ssl, "
            f"or remove {secured.data_dir} (JOINEDUP_BROKER_DATA_DIR) and start again"
        )

    def test_a_data_dir_from_before_the_setting_keeps_running_plaintext(self, tmp_path):
        """No record, no security files: it starts as it was formatted, whatever the setting."""
        settings = _formatted(_settings(tmp_path, "sasl_ssl", data_dir=False), record=False)

        check_security_state(settings)

        assert security_in_force(settings) == "plaintext"

    def test_a_noted_plaintext_data_dir_may_not_be_secured(self, tmp_path):
        """A data dir formatted plaintext by this version, started as sasl_ssl: refused."""
        _formatted(_settings(tmp_path, "plaintext"))

        with pytest.raises(BrokerSecurityError, match="set JOINEDUP_BROKER_SECURITY=plaintext"):
            check_security_state(_settings(tmp_path, "sasl_ssl"))

    def test_a_secured_data_dir_without_its_record_is_still_secured(self, tmp_path):
        """Security files but no record: SASL_SSL, so a plaintext start is refused."""
        secured = _settings(tmp_path, "sasl_ssl")
        ensure_material(secured)
        _formatted(secured, record=False)

        with pytest.raises(BrokerSecurityError, match="was formatted with sasl_ssl"):
            check_security_state(_settings(tmp_path, "plaintext"))

    def test_missing_security_files_say_remove_the_data_dir(self, tmp_path):
        """Formatted SASL_SSL without its CA key: remove the data dir and start again."""
        settings = _settings(tmp_path, "sasl_ssl", data_dir=False)
        ensure_material(settings).ca_key.unlink()
        _formatted(settings)

        with pytest.raises(BrokerSecurityError) as refused:
            check_security_state(settings)

        assert str(refused.value) == (
            f"the broker data in {settings.data_dir} (the default data dir) is formatted for "
            "SASL_SSL but its security files are missing (security/ca.key): remove "
            f"{settings.data_dir} (the default data dir) and start again"
        )


class TestRenderProperties:
    def test_secured_listeners_authorizer_and_controller(self, tmp_path):
        """sasl_ssl: SCRAM over TLS for clients and the broker, mTLS controller, ACLs on."""
        settings = _settings(tmp_path, "sasl_ssl")
        files = ensure_material(settings)
        password = client_password(settings, BROKER).get_secret_value()

        properties = _properties(render_properties(settings))

        assert properties["listeners"] == (
            "SASL_SSL://127.0.0.1:25092,CONTROLLER://127.0.0.1:25093"
        )
        assert properties["listener.security.protocol.map"] == "CONTROLLER:SSL,SASL_SSL:SASL_SSL"
        assert properties["inter.broker.listener.name"] == "SASL_SSL"
        assert properties["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
        assert properties["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
        assert properties["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"] == (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="broker" password="{password}";'
        )
        assert properties["listener.name.controller.ssl.client.auth"] == "required"
        assert properties["ssl.keystore.type"] == "PEM"
        assert properties["ssl.keystore.location"] == str(files.broker_keystore.resolve())
        assert properties["ssl.truststore.location"] == str(files.ca_cert.resolve())
        assert properties["ssl.principal.mapping.rules"] == "RULE:^CN=broker$/broker/,DEFAULT"
        assert properties["authorizer.class.name"] == (
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
        )
        assert properties["allow.everyone.if.no.acl.found"] == "false"
        assert properties["super.users"] == "User:admin;User:broker"
        assert properties["auto.create.topics.enable"] == "false"

    def test_plaintext_has_no_security_and_no_auto_create(self, tmp_path):
        """plaintext: the old PLAINTEXT listeners, no authorizer, auto-create still off."""
        properties = _properties(render_properties(_settings(tmp_path, "plaintext")))

        assert properties["listeners"] == (
            "PLAINTEXT://127.0.0.1:25092,CONTROLLER://127.0.0.1:25093"
        )
        assert properties["listener.security.protocol.map"] == (
            "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
        )
        assert "authorizer.class.name" not in properties
        assert properties["auto.create.topics.enable"] == "false"

    def test_a_data_dir_from_before_the_setting_keeps_its_old_properties(self, tmp_path):
        """Unrecorded and without security files: PLAINTEXT listeners, topics auto-created."""
        settings = _formatted(_settings(tmp_path, "sasl_ssl"), record=False)

        properties = _properties(render_properties(settings))

        assert properties["listeners"] == (
            "PLAINTEXT://127.0.0.1:25092,CONTROLLER://127.0.0.1:25093"
        )
        assert properties["auto.create.topics.enable"] == "true"

    def test_the_tuning_is_kept(self, tmp_path):
        """Both modes keep the single-node tuning of the common template."""
        for security in ("sasl_ssl", "plaintext"):
            settings = _settings(tmp_path, security)
            if security == "sasl_ssl":
                ensure_material(settings)
            properties = _properties(render_properties(settings))

            assert properties["process.roles"] == "broker,controller"
            assert properties["controller.quorum.bootstrap.servers"] == "127.0.0.1:25093"
            assert properties["group.initial.rebalance.delay.ms"] == "0"
            assert properties["transaction.state.log.replication.factor"] == "1"


class TestScramArguments:
    def test_secured_format_adds_the_admin_and_broker_users(self, tmp_path):
        """`format` gets one SCRAM-SHA-512 user each for admin and broker, with their passwords."""
        settings = _settings(tmp_path, "sasl_ssl")
        ensure_material(settings)
        admin = client_password(settings, ADMIN).get_secret_value()
        broker = client_password(settings, BROKER).get_secret_value()

        assert scram_arguments(settings) == [
            "--add-scram",
            f"SCRAM-SHA-512=[name=admin,password={admin}]",
            "--add-scram",
            f"SCRAM-SHA-512=[name=broker,password={broker}]",
        ]

    def test_plaintext_format_adds_no_users(self, tmp_path):
        """A plaintext data dir is formatted without SCRAM users."""
        assert scram_arguments(_settings(tmp_path, "plaintext")) == []

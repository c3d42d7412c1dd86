"""The local broker's two ports: where the controller listens, which ports are refused."""

from __future__ import annotations

import pytest

from services.broker.exceptions import BrokerPortError
from services.broker.local import LocalBroker
from services.broker.ports import EPHEMERAL_PORTS_FALLBACK, check_ports, ephemeral_port_range
from services.bus.settings import BusSettings

LINUX_DEFAULT = (32768, 60999)


def _settings(broker: int, controller: int | None = None, **more) -> BusSettings:
    return BusSettings(broker_port=broker, broker_controller_port=controller, **more)


class TestControllerPort:
    def test_unset_means_the_broker_port_plus_one(self):
        """Without JOINEDUP_BROKER_CONTROLLER_PORT the controller takes the next port."""
        assert _settings(19092).controller_port == 19093

    def test_a_set_port_is_used(self):
        """JOINEDUP_BROKER_CONTROLLER_PORT overrides the broker port + 1."""
        assert _settings(19092, 29093).controller_port == 29093

    def test_the_server_properties_name_the_controller_port(self, tmp_path):
        """The broker's properties file puts the KRaft controller on the configured port."""
        settings = _settings(19092, 29093, broker_data_dir=tmp_path, broker_security="plaintext")
        broker = LocalBroker(settings)
        broker._write_properties()
        text = broker.properties.read_text(encoding="utf-8")
        assert "CONTROLLER://127.0.0.1:29093" in text
        assert "controller.quorum.bootstrap.servers=127.0.0.1:29093" in text
        assert "PLAINTEXT://127.0.0.1:19092" in text


class TestEphemeralPortRange:
    def test_reads_the_kernel_file(self, tmp_path):
        """The range is read from the kernel's `low<TAB>high` file."""
        source = tmp_path / "ip_local_port_range"
        source.write_text("40000\t50000\n", encoding="ascii")
        assert ephemeral_port_range(source) == (40000, 50000)

    def test_a_missing_file_falls_back_to_the_linux_default(self, tmp_path):
        """Where the file does not exist (not Linux), 32768-60999 is assumed."""
        assert ephemeral_port_range(tmp_path / "absent") == EPHEMERAL_PORTS_FALLBACK
        assert EPHEMERAL_PORTS_FALLBACK == LINUX_DEFAULT

    def test_an_unreadable_file_falls_back_to_the_linux_default(self, tmp_path):
        """A file that does not hold two numbers gives the default, not a crash."""
        source = tmp_path / "ip_local_port_range"
        source.write_text("not a range\n", encoding="ascii")
        assert ephemeral_port_range(source) == LINUX_DEFAULT


class TestCheckPorts:
    def test_the_default_ports_pass(self):
        """19092 and 19093 are below the ephemeral range: nothing is refused."""
        check_ports(_settings(19092), LINUX_DEFAULT)

    def test_ports_just_outside_the_range_pass(self):
        """Both ends of the range are inclusive; the ports beside them are fine."""
        check_ports(_settings(32766), LINUX_DEFAULT)
        check_ports(_settings(61000), LINUX_DEFAULT)

    def test_a_broker_port_in_the_range_is_refused(self):
        """A broker port a client socket could take names JOINEDUP_BROKER_PORT and why."""
        with pytest.raises(BrokerPortError) as refused:
            check_ports(_settings(40000, 19093), LINUX_DEFAULT)
        message = str(refused.value)
        assert message.startswith("JOINEDUP_BROKER_PORT is 40000, inside the OS's ephemeral")
        assert "client sockets can take it while the broker is down" in message
        assert message.endswith("set JOINEDUP_BROKER_PORT to a port outside 32768-60999")

    def test_the_top_of_the_range_is_refused(self):
        """The highest ephemeral port counts as inside the range."""
        with pytest.raises(BrokerPortError, match="JOINEDUP_BROKER_PORT is 60999"):
            check_ports(_settings(60999, 19093), LINUX_DEFAULT)

    def test_a_controller_port_in_the_range_is_refused(self):
        """A set controller port inside the range names JOINEDUP_BROKER_CONTROLLER_PORT."""
        with pytest.raises(BrokerPortError) as refused:
            check_ports(_settings(19092, 45000), LINUX_DEFAULT)
        message = str(refused.value)
        assert message.startswith("JOINEDUP_BROKER_CONTROLLER_PORT is 45000, inside")
        assert message.endswith("set JOINEDUP_BROKER_CONTROLLER_PORT to a port outside 32768-60999")

    def test_a_derived_controller_port_in_the_range_says_where_it_came_from(self):
        """Broker port 32767 puts the unset controller on 32768: the message says it is + 1."""
        with pytest.raises(BrokerPortError) as refused:
            check_ports(_settings(32767), LINUX_DEFAULT)
        message = str(refused.value)
        assert message.startswith("the controller port (JOINEDUP_BROKER_PORT + 1 while")
        assert "is 32768, inside the OS's ephemeral port range 32768-60999" in message
        assert message.endswith("set JOINEDUP_BROKER_CONTROLLER_PORT to a port outside 32768-60999")

    def test_equal_ports_are_refused(self):
        """The broker and its controller cannot share one port."""
        with pytest.raises(BrokerPortError) as refused:
            check_ports(_settings(19092, 19092), LINUX_DEFAULT)
        assert str(refused.value).startswith(
            "JOINEDUP_BROKER_CONTROLLER_PORT equals JOINEDUP_BROKER_PORT (19092)"
        )

    def test_start_refuses_before_creating_anything(self, tmp_path):
        """`LocalBroker.start` checks the ports before it writes or runs anything."""
        low, high = ephemeral_port_range()
        data_dir = tmp_path / "kafka"
        broker = LocalBroker(_settings((low + high) // 2, 19093, broker_data_dir=data_dir))
        with pytest.raises(BrokerPortError, match="JOINEDUP_BROKER_PORT"):
            broker.start()
        assert not data_dir.exists()

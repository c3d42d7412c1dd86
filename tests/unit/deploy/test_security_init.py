"""`joinedup broker security-init`: a containerised broker's keys, passwords and settings."""

from __future__ import annotations

import ipaddress
import re
import stat
from pathlib import Path, PurePosixPath

import pytest
from cryptography import x509
from rigs.compose import properties_of, run_security_init

from services.broker.deployment_files import Deployment, ensure_deployment
from services.broker.exceptions import BrokerSecurityError
from services.bus.security import read_client_file
from services.governance.principals import SERVICES

SCRAM_ARGUMENT = re.compile(r"--add-scram=SCRAM-SHA-512=\[name=([^,\]]+),password=([^,\]]+)\]")
PRINCIPALS = ("joinedup.gateway", "school-7")
AGENCIES = """\
agencies:
  - id: school-7
    kind: school
    name: School Seven
    duty_contact: dsl@seven.example.sch.uk
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _deployment(directory: Path, **options) -> Deployment:
    return Deployment(directory, options.pop("hosts", ("kafka",)), PRINCIPALS, **options)


def _contents(directory: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in directory.rglob("*") if path.is_file()}


def _password(directory: Path, principal: str) -> str:
    return read_client_file(directory / "clients" / f"{principal}.properties")["sasl.password"]


class TestFiles:
    def test_secrets_are_owner_only(self, tmp_path):
        """Directories 0700; keys, settings, SCRAM users and client files 0600."""
        ensure_deployment(_deployment(tmp_path))
        secrets = [
            tmp_path / name
            for name in (
                "ca.key",
                "broker-keystore.pem",
                "server.properties",
                "scram-users",
                "kafka-tools.properties",
            )
        ]
        secrets += sorted((tmp_path / "clients").iterdir())

        assert {_mode(directory) for directory in (tmp_path, tmp_path / "clients")} == {0o700}
        assert {_mode(path) for path in secrets} == {0o600}
        assert len(secrets) == 5 + 4

    def test_every_principal_has_a_client_file_with_the_mounted_ca(self, tmp_path):
        """admin, broker and each principal: SASL_SSL, SCRAM-SHA-512, the CA under the mount."""
        ensure_deployment(_deployment(tmp_path, mount_path=PurePosixPath("/run/joinedup")))

        for principal in ("admin", "broker", *PRINCIPALS):
            properties = read_client_file(tmp_path / "clients" / f"{principal}.properties")

            assert properties["security.protocol"] == "SASL_SSL"
            assert properties["sasl.mechanism"] == "SCRAM-SHA-512"
            assert properties["sasl.username"] == principal
            assert properties["ssl.ca.location"] == "/run/joinedup/ca.pem"

    def test_passwords_are_random_and_distinct(self, tmp_path):
        """Every principal's password differs from every other's and is long."""
        ensure_deployment(_deployment(tmp_path))
        passwords = [_password(tmp_path, p) for p in ("admin", "broker", *PRINCIPALS)]

        assert len(set(passwords)) == 4
        assert min(map(len, passwords)) >= 40

    def test_the_broker_and_the_tools_use_the_client_files_passwords(self, tmp_path):
        """server.properties holds broker's password; kafka-tools.properties the admin's."""
        ensure_deployment(_deployment(tmp_path))
        server = properties_of(tmp_path / "server.properties")
        tools = properties_of(tmp_path / "kafka-tools.properties")

        assert (
            f'password="{_password(tmp_path, "broker")}";'
            in server["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"]
        )
        assert f'password="{_password(tmp_path, "admin")}";' in tools["sasl.jaas.config"]
        assert tools["ssl.truststore.location"] == "/security/ca.pem"


class TestScramUsers:
    def test_one_argument_per_user_with_its_client_files_password(self, tmp_path):
        """Each line parses as `--add-scram=SCRAM-SHA-512=[name=..,password=..]`, files agreeing."""
        ensure_deployment(_deployment(tmp_path))
        lines = (tmp_path / "scram-users").read_text(encoding="utf-8").splitlines()
        parsed = [SCRAM_ARGUMENT.fullmatch(line) for line in lines]

        assert all(parsed)
        users = {match[1]: match[2] for match in parsed if match}
        assert list(users) == ["admin", "broker", *PRINCIPALS]
        assert users == {name: _password(tmp_path, name) for name in users}


class TestCertificate:
    def test_names_every_host_given(self, tmp_path):
        """DNS names for names and an IP address for an address, as the SANs."""
        ensure_deployment(_deployment(tmp_path, hosts=("kafka", "localhost", "10.1.2.3")))
        certificate = x509.load_pem_x509_certificate(
            (tmp_path / "broker-keystore.pem").read_bytes()
        )
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value

        assert names.get_values_for_type(x509.DNSName) == ["kafka", "localhost"]
        assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("10.1.2.3")]

    def test_is_signed_by_the_ca_written_beside_it(self, tmp_path):
        """The broker's certificate verifies against ca.pem."""
        ensure_deployment(_deployment(tmp_path))
        authority = x509.load_pem_x509_certificate((tmp_path / "ca.pem").read_bytes())
        broker = x509.load_pem_x509_certificate((tmp_path / "broker-keystore.pem").read_bytes())

        broker.verify_directly_issued_by(authority)

    def test_a_kept_certificate_missing_a_new_host_is_reported(self, tmp_path):
        """Run again with another host, the kept keystore is named as not covering it."""
        ensure_deployment(_deployment(tmp_path))
        keystore = (tmp_path / "broker-keystore.pem").read_bytes()

        lines = ensure_deployment(_deployment(tmp_path, hosts=("kafka", "broker.example")))

        assert (tmp_path / "broker-keystore.pem").read_bytes() == keystore
        assert (
            "! broker-keystore.pem kept does not name broker.example: remove it and run again "
            "to reissue it"
        ) in lines


class TestRerun:
    def test_changes_nothing_and_says_every_file_is_kept(self, tmp_path):
        """A second run rewrites no file and reports each as kept."""
        ensure_deployment(_deployment(tmp_path))
        before = _contents(tmp_path)

        lines = ensure_deployment(_deployment(tmp_path))

        assert _contents(tmp_path) == before
        assert all(line.startswith("= ") and line.endswith(" kept") for line in lines)
        assert len(lines) == 3 + 4 + 3

    def test_a_new_principal_gets_a_user_and_the_others_keep_their_passwords(self, tmp_path):
        """A principal added later is written and appended to scram-users; no password moves."""
        ensure_deployment(_deployment(tmp_path))
        before = {p: _password(tmp_path, p) for p in ("admin", "broker", *PRINCIPALS)}

        lines = ensure_deployment(Deployment(tmp_path, ("kafka",), (*PRINCIPALS, "police-9")))

        assert {p: _password(tmp_path, p) for p in before} == before
        assert "+ clients/police-9.properties (user police-9, new password)" in lines
        assert any(line.startswith("~ scram-users rewritten") for line in lines)
        assert "name=police-9," in (tmp_path / "scram-users").read_text(encoding="utf-8")

    def test_another_mount_path_rewrites_the_client_files_keeping_passwords(self, tmp_path):
        """The CA location follows the mount path; the password stays."""
        ensure_deployment(_deployment(tmp_path))
        password = _password(tmp_path, "school-7")

        lines = ensure_deployment(_deployment(tmp_path, mount_path=PurePosixPath("/etc/kafka")))
        properties = read_client_file(tmp_path / "clients" / "school-7.properties")

        assert properties["ssl.ca.location"] == "/etc/kafka/ca.pem"
        assert properties["sasl.password"] == password
        assert (
            "~ clients/school-7.properties rewritten: CA at /etc/kafka/ca.pem (password kept)"
            in (lines)
        )


class TestRefused:
    @pytest.mark.parametrize("hosts", [(), ("kafka;rm",), ("-kafka",), ("fe80::1",), ("a b",)])
    def test_no_host_or_a_malformed_one(self, tmp_path, hosts):
        """Hosts are DNS names or IPv4 addresses, at least one."""
        with pytest.raises(BrokerSecurityError, match="host"):
            Deployment(tmp_path, hosts, PRINCIPALS)

    def test_a_relative_mount_path(self, tmp_path):
        """The mount path is where containers see the directory: absolute."""
        with pytest.raises(BrokerSecurityError, match="not absolute"):
            _deployment(tmp_path, mount_path=PurePosixPath("security"))


class TestCommand:
    def test_writes_the_services_and_the_directorys_agencies(self, tmp_path):
        """Every service principal and each agency of --agencies get a client file."""
        agencies = tmp_path / "agencies.yaml"
        agencies.write_text(AGENCIES, encoding="utf-8")
        target = tmp_path / "security"

        output = run_security_init(target, "--host", "kafka", "--agencies", str(agencies))

        written = {path.stem for path in (target / "clients").iterdir()}
        assert written == {"admin", "broker", "school-7", *(s.principal.name for s in SERVICES)}
        assert "+ server.properties" in output

    def test_mount_path_sets_where_clients_and_the_broker_find_the_files(self, tmp_path):
        """--mount-path moves the CA of each client file and the broker's keystore with it."""
        run_security_init(tmp_path, "--host", "kafka", "--mount-path", "/run/joinedup")

        client = read_client_file(tmp_path / "clients" / "joinedup.router.properties")
        server = properties_of(tmp_path / "server.properties")
        assert client["ssl.ca.location"] == "/run/joinedup/ca.pem"
        assert server["ssl.keystore.location"] == "/run/joinedup/broker-keystore.pem"

    def test_says_what_it_kept_on_a_second_run(self, tmp_path):
        """Run twice, the second run's output names each file as kept."""
        run_security_init(tmp_path, "--host", "kafka")

        output = run_security_init(tmp_path, "--host", "kafka")

        assert "= clients/admin.properties kept" in output
        assert "= scram-users kept" in output
        assert "+ " not in output

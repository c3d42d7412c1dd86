"""docker-compose.yml runs the bus under the local broker's security model, one principal each."""

from __future__ import annotations

import ipaddress
from pathlib import PurePosixPath

from rigs.compose import DOCKERFILE, kafka_script, properties_of, security_init_arguments

from services.bus.security import read_client_file
from services.governance.principals import SERVICES

PROJECT_IMAGE = "joinedup:dev"
MOUNT = PurePosixPath("/security")
# Each long-running project service and the principal it signs in as.
PRINCIPAL_OF = {
    "schema-registry": "joinedup.registry",
    "gateway": "joinedup.gateway",
    "router": "joinedup.router",
    "thresholds": "joinedup.thresholds",
    "consent": "joinedup.consent",
    "alerts": "joinedup.alerts",
}
ONE_SHOT = {"security-init", "bus-init"}


def server_properties(security_dir) -> dict[str, str]:
    """The generated server.properties, key by key."""
    return properties_of(security_dir / "server.properties")


def project_services(compose) -> dict[str, dict]:
    """The long-running services built from the project's image."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == PROJECT_IMAGE and name not in ONE_SHOT
    }


class TestKafka:
    def test_runs_the_official_image_from_the_generated_configuration(self, compose):
        """apache/kafka 4.1.1 starts with security-init's server.properties, port 9092 published."""
        kafka = compose["services"]["kafka"]
        script = kafka_script(compose)

        assert kafka["image"] == "apache/kafka:4.1.1"
        assert kafka["entrypoint"] == ["/bin/bash", "-c"]
        assert "exec /opt/kafka/bin/kafka-server-start.sh /security/server.properties" in script
        assert "9092:9092" in kafka["ports"]

    def test_formats_its_storage_once_with_the_scram_users(self, compose, security_dir):
        """The format runs only without meta.properties in the log dir, with every SCRAM user."""
        script = kafka_script(compose)
        log_dir = server_properties(security_dir)["log.dirs"]

        assert f"if [ ! -f {log_dir}/meta.properties ]; then" in script
        assert "/opt/kafka/bin/kafka-storage.sh format --standalone" in script
        assert "--config /security/server.properties" in script
        assert "mapfile -t scram_users < /security/scram-users" in script
        assert '"${scram_users[@]}"' in script
        assert f"kafka-data:{log_dir}" in compose["services"]["kafka"]["volumes"]

    def test_listeners_are_sasl_ssl_only(self, security_dir):
        """Clients reach SASL_SSL with SCRAM-SHA-512; the controller takes only mutual TLS."""
        properties = server_properties(security_dir)
        protocols = dict(
            pair.split(":") for pair in properties["listener.security.protocol.map"].split(",")
        )
        names = {listener.split("://")[0] for listener in properties["listeners"].split(",")}

        assert protocols == {"SASL_SSL": "SASL_SSL", "CONTROLLER": "SSL"}
        assert names == {"SASL_SSL", "CONTROLLER"}
        assert properties["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
        assert properties["listener.name.controller.ssl.client.auth"] == "required"
        assert "PLAINTEXT" not in " ".join(properties.values())

    def test_listens_on_all_addresses_advertised_as_kafka(self, security_dir):
        """Bound to 0.0.0.0 in the container, advertised as the compose service's name."""
        properties = server_properties(security_dir)

        assert properties["listeners"] == "SASL_SSL://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093"
        assert properties["advertised.listeners"] == (
            "SASL_SSL://kafka:9092,CONTROLLER://kafka:9093"
        )
        assert properties["controller.quorum.bootstrap.servers"] == "kafka:9093"

    def test_auto_create_is_off_and_the_authorizer_denies_by_default(self, security_dir):
        """No topic on first use; the StandardAuthorizer with no allow-if-no-ACL."""
        properties = server_properties(security_dir)

        assert properties["auto.create.topics.enable"] == "false"
        assert properties["authorizer.class.name"] == (
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
        )
        assert properties["allow.everyone.if.no.acl.found"] == "false"
        assert properties["super.users"] == "User:admin;User:broker"

    def test_reads_its_keys_from_the_mounted_volume(self, compose, security_dir):
        """The keystore and CA paths are in the volume kafka mounts read-only."""
        properties = server_properties(security_dir)

        assert "security:/security:ro" in compose["services"]["kafka"]["volumes"]
        assert properties["ssl.keystore.location"] == "/security/broker-keystore.pem"
        assert properties["ssl.truststore.location"] == "/security/ca.pem"
        assert (security_dir / "broker-keystore.pem").is_file()

    def test_waits_for_security_init_to_finish(self, compose):
        """kafka starts only once security-init exited 0."""
        depends = compose["services"]["kafka"]["depends_on"]

        assert depends == {"security-init": {"condition": "service_completed_successfully"}}

    def test_is_healthy_once_the_admin_reads_its_configuration(self, compose, security_dir):
        """The health check signs in as admin with the tools file security-init writes."""
        test = compose["services"]["kafka"]["healthcheck"]["test"]
        tools = PurePosixPath(test[test.index("--command-config") + 1])

        assert test[:2] == ["CMD", "/opt/kafka/bin/kafka-configs.sh"]
        assert test[test.index("--bootstrap-server") + 1] == "kafka:9092"
        assert (security_dir / tools.relative_to(MOUNT)).read_text().count('username="admin"') == 1


class TestSecurityInit:
    def test_writes_into_the_volume_for_the_compose_host_names(self, compose):
        """It runs the project's command into the writable volume, for kafka and localhost."""
        service = compose["services"]["security-init"]
        arguments = security_init_arguments(compose)

        assert service["image"] == PROJECT_IMAGE
        assert service["command"][:3] == ["joinedup", "broker", "security-init"]
        assert arguments[0] == "/security"
        assert arguments[1:] == ["--host", "kafka", "--host", "localhost"]
        assert service["volumes"] == ["security:/security"]

    def test_reads_the_configuration_the_services_read(self, compose):
        """Its environment is the services' own, so a deployment's agencies get their users."""
        environment = compose["services"]["security-init"]["environment"]
        gateway = dict(compose["services"]["gateway"]["environment"])
        del gateway["JOINEDUP_KAFKA_CLIENT_FILE"]

        assert environment == gateway

    def test_every_container_runs_as_the_owner_of_the_security_files(self, compose):
        """Files 0600 written by uid 65534 are read by uid 65534 everywhere, kafka included."""
        users = {name: service["user"] for name, service in compose["services"].items()}
        dockerfile = DOCKERFILE.read_text(encoding="utf-8")

        assert {user.split(":")[0] for user in users.values()} == {"65534"}
        assert "USER nobody" in dockerfile
        assert "mkdir -m 0700 /security" in dockerfile
        assert "chown nobody:nogroup /security" in dockerfile


class TestBusInit:
    def test_applies_topics_then_acls_as_admin(self, compose):
        """As the admin's client file, `topics apply` and, if it succeeds, `acl apply`."""
        bus_init = compose["services"]["bus-init"]

        assert bus_init["image"] == PROJECT_IMAGE
        assert bus_init["command"] == [
            "/bin/sh",
            "-c",
            "joinedup topics apply && joinedup acl apply",
        ]
        assert bus_init["environment"]["JOINEDUP_KAFKA_CLIENT_FILE"] == (
            "/security/clients/admin.properties"
        )

    def test_runs_once_kafka_is_healthy(self, compose):
        """bus-init waits for kafka's health check."""
        depends = compose["services"]["bus-init"]["depends_on"]

        assert depends == {"kafka": {"condition": "service_healthy"}}


class TestServices:
    def test_every_project_service_is_listed_with_its_principal(self, compose):
        """The long-running project services are exactly those of the table, each a service's."""
        names = {service.principal.name for service in SERVICES}

        assert set(project_services(compose)) == set(PRINCIPAL_OF)
        assert set(PRINCIPAL_OF.values()) <= names
        assert len(set(PRINCIPAL_OF.values())) == len(PRINCIPAL_OF)

    def test_each_names_its_own_principals_client_file(self, compose, security_dir):
        """JOINEDUP_KAFKA_CLIENT_FILE is its principal's file, and security-init wrote it."""
        for name, service in project_services(compose).items():
            path = PurePosixPath(service["environment"]["JOINEDUP_KAFKA_CLIENT_FILE"])
            properties = read_client_file(security_dir / path.relative_to(MOUNT))

            assert path == MOUNT / "clients" / f"{PRINCIPAL_OF[name]}.properties", name
            assert properties["sasl.username"] == PRINCIPAL_OF[name], name
            assert properties["ssl.ca.location"] == "/security/ca.pem", name

    def test_each_mounts_the_volume_read_only_and_reaches_kafka(self, compose):
        """The security volume is read-only; the bootstrap is kafka's advertised listener."""
        for name, service in project_services(compose).items():
            assert service["volumes"] == ["security:/security:ro"], name
            assert service["environment"]["JOINEDUP_BOOTSTRAP_SERVERS"] == "kafka:9092", name

    def test_every_service_depends_on_bus_init(self, compose):
        """No service starts before the topics and ACLs exist."""
        for name, service in project_services(compose).items():
            assert service["depends_on"]["bus-init"] == {
                "condition": "service_completed_successfully"
            }, name

    def test_the_registry_is_the_projects_own_on_8081(self, compose):
        """`joinedup registry serve` on the port of JOINEDUP_REGISTRY_URL, published."""
        registry = compose["services"]["schema-registry"]
        command = registry["command"]

        assert command[:3] == ["joinedup", "registry", "serve"]
        assert ipaddress.ip_address(command[command.index("--host") + 1]).is_unspecified
        assert registry["environment"]["JOINEDUP_REGISTRY_URL"] == "http://schema-registry:8081"
        assert "8081:8081" in registry["ports"]


class TestFile:
    def test_data_lives_in_named_volumes(self, compose):
        """Broker data and the security files survive container restarts in named volumes."""
        assert {"kafka-data", "security"} <= set(compose["volumes"])
        assert any(v.startswith("kafka-data:") for v in compose["services"]["kafka"]["volumes"])

    def test_every_service_image_or_build_is_set(self, compose):
        """Every service names an image or a build, so `docker compose up` can run it."""
        for name, service in compose["services"].items():
            assert "image" in service or "build" in service, name


class TestObservability:
    def test_prometheus_and_grafana_run_the_pinned_images(self, compose):
        """prom/prometheus v3.5.0 and grafana/grafana 12.1.0, nothing floating."""
        assert compose["services"]["prometheus"]["image"] == "prom/prometheus:v3.5.0"
        assert compose["services"]["grafana"]["image"] == "grafana/grafana:12.1.0"

    def test_they_are_published_on_this_machine_only(self, compose):
        """Metrics and dashboards (agency names, volumes) are not offered to the network."""
        assert compose["services"]["prometheus"]["ports"] == ["127.0.0.1:9090:9090"]
        assert compose["services"]["grafana"]["ports"] == ["127.0.0.1:3000:3000"]

    def test_neither_mounts_the_security_volume(self, compose):
        """Scraping needs no Kafka credential: the keys stay with the bus's containers."""
        for name in ("prometheus", "grafana"):
            volumes = compose["services"][name]["volumes"]
            assert not any(volume.startswith("security:") for volume in volumes), name

    def test_grafana_lets_anonymous_users_view_only(self, compose):
        """Anonymous access is on with the Viewer role; nobody may sign up."""
        environment = compose["services"]["grafana"]["environment"]

        assert environment["GF_AUTH_ANONYMOUS_ENABLED"] == "true"
        assert environment["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
        assert environment["GF_USERS_ALLOW_SIGN_UP"] == "false"

    def test_workers_serve_their_probes_on_all_addresses(self, compose):
        """The router and thresholds bind JOINEDUP_PROBE_HOST 0.0.0.0: Prometheus reaches them."""
        for name in ("router", "thresholds"):
            host = compose["services"][name]["environment"]["JOINEDUP_PROBE_HOST"]
            assert ipaddress.ip_address(host).is_unspecified, name

    def test_prometheus_keeps_its_data_in_a_named_volume(self, compose):
        """The TSDB survives a container's re-creation."""
        assert "prometheus-data" in compose["volumes"]
        assert "prometheus-data:/prometheus" in compose["services"]["prometheus"]["volumes"]

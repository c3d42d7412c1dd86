"""The registry's REST API: Confluent's paths, JSON shapes, content type and error codes."""

from __future__ import annotations

import json

import httpx
import pytest
from avro_samples import NAMESPACE, record, with_optional_note, with_required_count

pytestmark = pytest.mark.integration

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
SUBJECT = f"{NAMESPACE}.PupilNoted"


@pytest.fixture
def http(registry):
    with httpx.Client(base_url=registry.url, headers={"Content-Type": CONTENT_TYPE}) as client:
        yield client


def register(http, subject, schema, **extra):
    return http.post(f"/subjects/{subject}/versions", json={"schema": schema, **extra})


def assert_error(response, status, error_code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == CONTENT_TYPE
    body = response.json()
    assert set(body) == {"error_code", "message"}
    assert body["error_code"] == error_code
    assert body["message"]


class TestRegister:
    def test_register_returns_an_id_in_confluent_content_type(self, http):
        """Registering answers {"id": n} as application/vnd.schemaregistry.v1+json."""
        response = register(http, SUBJECT, record())
        assert response.status_code == 200
        assert response.headers["content-type"] == CONTENT_TYPE
        assert response.json() == {"id": 1}

    def test_same_schema_twice_keeps_its_id_and_version(self, http):
        """Registering a schema already live under the subject returns its id, adds no version."""
        first = register(http, SUBJECT, record()).json()["id"]
        spaced = json.dumps(json.loads(record()), indent=2)
        assert register(http, SUBJECT, spaced).json()["id"] == first
        assert http.get(f"/subjects/{SUBJECT}/versions").json() == [1]

    def test_same_schema_under_two_subjects_shares_the_id(self, http):
        """Ids are global: one id per distinct schema, whatever the subject."""
        first = register(http, "one-value", record()).json()["id"]
        second = register(http, "two-value", record()).json()["id"]
        assert first == second
        assert http.get(f"/schemas/ids/{first}/subjects").json() == ["one-value", "two-value"]
        assert http.get(f"/schemas/ids/{first}/versions").json() == [
            {"subject": "one-value", "version": 1},
            {"subject": "two-value", "version": 1},
        ]

    def test_new_schema_gets_the_next_id_and_version(self, http):
        """A compatible change becomes version 2 with a new id."""
        register(http, SUBJECT, record())
        assert register(http, SUBJECT, with_optional_note()).json() == {"id": 2}
        assert http.get(f"/subjects/{SUBJECT}/versions").json() == [1, 2]

    def test_invalid_avro_is_42201(self, http):
        """A schema that is not Avro is refused with 42201."""
        bad = json.dumps({"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]})
        assert_error(register(http, SUBJECT, bad), 422, 42201)
        assert_error(register(http, SUBJECT, "{not json"), 422, 42201)

    def test_other_schema_types_are_42201_naming_the_type(self, http):
        """PROTOBUF and JSON schemas are refused with a message saying only AVRO is served."""
        response = register(http, SUBJECT, "syntax = 'proto3';", schemaType="PROTOBUF")
        assert_error(response, 422, 42201)
        assert "PROTOBUF" in response.json()["message"]
        assert "AVRO" in response.json()["message"]

    def test_a_compatibility_check_refuses_other_types_and_malformed_avro(self, http):
        """As a registration does: 42201 for a JSON schema and for `{}`, never a 500."""
        path = f"/compatibility/subjects/{SUBJECT}/versions"
        other = http.post(path, json={"schema": "{}", "schemaType": "JSON"})
        malformed = http.post(path, json={"schema": "{}"})
        assert_error(other, 422, 42201)
        assert "JSON" in other.json()["message"]
        assert_error(malformed, 422, 42201)

    def test_incompatible_schema_is_409(self, http):
        """Under the default BACKWARD_TRANSITIVE, a new required field is refused with 409."""
        register(http, SUBJECT, record())
        response = register(http, SUBJECT, with_required_count())
        assert_error(response, 409, 409)
        assert "count" in response.json()["message"]

    def test_schema_types(self, http):
        """Only AVRO is served."""
        assert http.get("/schemas/types").json() == ["AVRO"]


class TestRead:
    def test_version_and_latest(self, http):
        """A version reads as {"subject", "version", "id", "schema"}; latest is the newest."""
        register(http, SUBJECT, record())
        register(http, SUBJECT, with_optional_note())
        first = http.get(f"/subjects/{SUBJECT}/versions/1").json()
        assert first == {"subject": SUBJECT, "version": 1, "id": 1, "schema": record()}
        assert http.get(f"/subjects/{SUBJECT}/versions/latest").json()["version"] == 2
        assert http.get(f"/subjects/{SUBJECT}/versions/-1").json()["version"] == 2

    def test_raw_schema_of_a_version(self, http):
        """/versions/{v}/schema answers the schema itself."""
        register(http, SUBJECT, record())
        assert http.get(f"/subjects/{SUBJECT}/versions/1/schema").json() == json.loads(record())

    def test_schema_by_id(self, http):
        """/schemas/ids/{id} answers {"schema": text}."""
        schema_id = register(http, SUBJECT, record()).json()["id"]
        assert http.get(f"/schemas/ids/{schema_id}").json() == {"schema": record()}

    def test_lookup(self, http):
        """POST /subjects/{s} finds a registered schema without registering it."""
        register(http, SUBJECT, record())
        found = http.post(f"/subjects/{SUBJECT}", json={"schema": record()}).json()
        assert found == {"subject": SUBJECT, "version": 1, "id": 1, "schema": record()}
        missing = http.post(f"/subjects/{SUBJECT}", json={"schema": with_optional_note()})
        assert_error(missing, 404, 40403)

    def test_not_found_codes(self, http):
        """Unknown subject 40401, unknown version 40402, unknown id 40403, bad version 42202."""
        assert_error(http.get("/subjects/nobody/versions"), 404, 40401)
        assert_error(http.post("/subjects/nobody", json={"schema": record()}), 404, 40401)
        register(http, SUBJECT, record())
        assert_error(http.get(f"/subjects/{SUBJECT}/versions/7"), 404, 40402)
        assert_error(http.get("/schemas/ids/999"), 404, 40403)
        assert_error(http.get(f"/subjects/{SUBJECT}/versions/first"), 422, 42202)

    def test_unknown_path_answers_in_confluent_shape(self, http):
        """Even a path the registry does not serve answers {"error_code", "message"}."""
        assert_error(http.get("/no/such/path"), 404, 404)


class TestDelete:
    def test_soft_delete_hides_the_subject_but_keeps_ids(self, http):
        """DELETE /subjects/{s} lists the deleted versions; ids still resolve."""
        schema_id = register(http, SUBJECT, record()).json()["id"]
        assert http.delete(f"/subjects/{SUBJECT}").json() == [1]
        assert http.get("/subjects").json() == []
        assert http.get("/subjects", params={"deleted": "true"}).json() == [SUBJECT]
        assert_error(http.get(f"/subjects/{SUBJECT}/versions"), 404, 40401)
        assert http.get(f"/schemas/ids/{schema_id}").status_code == 200

    def test_registering_after_delete_continues_the_versions(self, http):
        """After a soft delete the same schema comes back as version 2 with the same id."""
        schema_id = register(http, SUBJECT, record()).json()["id"]
        http.delete(f"/subjects/{SUBJECT}")
        assert register(http, SUBJECT, record()).json()["id"] == schema_id
        assert http.get(f"/subjects/{SUBJECT}/versions").json() == [2]

    def test_permanent_delete_is_refused(self, http):
        """Hard deletes are refused so that ids are never reused."""
        register(http, SUBJECT, record())
        assert_error(http.delete(f"/subjects/{SUBJECT}", params={"permanent": "true"}), 422, 422)


class TestConfig:
    def test_global_level_defaults_to_backward_transitive(self, http):
        """GET /config answers the default level."""
        assert http.get("/config").json() == {"compatibilityLevel": "BACKWARD_TRANSITIVE"}

    def test_set_global_and_subject_levels(self, http):
        """PUT /config and /config/{s} answer {"compatibility"}; GET reads them back."""
        assert http.put("/config", json={"compatibility": "FULL"}).json() == {
            "compatibility": "FULL"
        }
        assert http.get("/config").json() == {"compatibilityLevel": "FULL"}
        assert_error(http.get(f"/config/{SUBJECT}"), 404, 40408)
        defaulted = http.get(f"/config/{SUBJECT}", params={"defaultToGlobal": "true"})
        assert defaulted.json() == {"compatibilityLevel": "FULL"}
        http.put(f"/config/{SUBJECT}", json={"compatibility": "none"})
        assert http.get(f"/config/{SUBJECT}").json() == {"compatibilityLevel": "NONE"}
        assert http.delete(f"/config/{SUBJECT}").json() == {"compatibilityLevel": "NONE"}
        assert_error(http.get(f"/config/{SUBJECT}"), 404, 40408)

    def test_unknown_level_is_42203(self, http):
        """A level that is not one of Confluent's names is refused."""
        assert_error(http.put("/config", json={"compatibility": "SOMETIMES"}), 422, 42203)

    def test_level_none_lets_anything_in(self, http):
        """Under NONE, a breaking change registers."""
        http.put(f"/config/{SUBJECT}", json={"compatibility": "NONE"})
        register(http, SUBJECT, record())
        assert register(http, SUBJECT, with_required_count()).status_code == 200

    def test_forward_accepts_what_backward_refuses(self, http):
        """Under FORWARD, a new required field registers (old readers ignore it)."""
        http.put(f"/config/{SUBJECT}", json={"compatibility": "FORWARD"})
        register(http, SUBJECT, record())
        assert register(http, SUBJECT, with_required_count()).status_code == 200

    def test_full_refuses_a_forward_only_change(self, http):
        """Under FULL, a change must be readable both ways."""
        http.put(f"/config/{SUBJECT}", json={"compatibility": "FULL"})
        register(http, SUBJECT, record())
        assert_error(register(http, SUBJECT, with_required_count()), 409, 409)
        assert register(http, SUBJECT, with_optional_note()).status_code == 200

    def test_backward_checks_only_the_latest_version(self, http):
        """BACKWARD compares with the latest version; BACKWARD_TRANSITIVE with all of them."""
        http.put(f"/config/{SUBJECT}", json={"compatibility": "NONE"})
        register(http, SUBJECT, record())
        register(http, SUBJECT, with_required_count())
        again = record(
            "PupilNoted",
            {"name": "count", "type": "int"},
            {"name": "n", "type": "int", "default": 0},
        )
        http.put(f"/config/{SUBJECT}", json={"compatibility": "BACKWARD_TRANSITIVE"})
        assert_error(register(http, SUBJECT, again), 409, 409)
        http.put(f"/config/{SUBJECT}", json={"compatibility": "BACKWARD"})
        assert register(http, SUBJECT, again).status_code == 200


class TestCompatibilityEndpoint:
    def test_verdicts(self, http):
        """POST /compatibility/... answers {"is_compatible": bool}, with messages when verbose."""
        register(http, SUBJECT, record())
        path = f"/compatibility/subjects/{SUBJECT}/versions/latest"
        assert http.post(path, json={"schema": with_optional_note()}).json() == {
            "is_compatible": True
        }
        verdict = http.post(
            path, json={"schema": with_required_count()}, params={"verbose": "true"}
        )
        assert verdict.json()["is_compatible"] is False
        assert verdict.json()["messages"]
        assert http.post(
            f"/compatibility/subjects/{SUBJECT}/versions/1", json={"schema": record()}
        ).json() == {"is_compatible": True}

    def test_against_every_version(self, http):
        """Without a version, the check follows the subject's level over all versions."""
        register(http, SUBJECT, record())
        path = f"/compatibility/subjects/{SUBJECT}/versions"
        assert http.post(path, json={"schema": with_required_count()}).json() == {
            "is_compatible": False
        }

    def test_unknown_subject_and_version(self, http):
        """Checking against a subject or version that does not exist answers 40401 / 40402."""
        path = "/compatibility/subjects/nobody/versions/latest"
        assert_error(http.post(path, json={"schema": record()}), 404, 40401)
        register(http, SUBJECT, record())
        path = f"/compatibility/subjects/{SUBJECT}/versions/9"
        assert_error(http.post(path, json={"schema": record()}), 404, 40402)


class TestHealthAndContract:
    def test_healthz_answers_once_the_topic_is_followed(self, http, registry):
        """A started registry is ready: it names the topic it follows."""
        response = http.get("/healthz")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "ok"

    def test_readyz_names_the_broker_and_the_schemas_topic(self, http, registry):
        """Ready once its topic is replayed and followed, and the broker answers."""
        response = http.get("/readyz")
        assert response.status_code == 200, response.text
        assert response.json()["checks"] == {"broker": "ok", "schemas": "ok"}

    def test_every_route_documents_its_errors_in_confluents_shape(self, http):
        """The OpenAPI document lists the error responses, each as {error_code, message}."""
        document = http.get("/openapi.json").json()
        assert set(document["components"]["schemas"]["ErrorBody"]["properties"]) == {
            "error_code",
            "message",
        }
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                errors = {code for code in operation["responses"] if code[0] in "45"}
                assert errors, f"{method.upper()} {path} documents no error response"

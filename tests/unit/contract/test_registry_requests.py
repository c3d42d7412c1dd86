import json

import pytest

from schemas import registry_errors as errors
from schemas.exceptions import IncompatibleSchemaError, UnknownSchemaIdError
from schemas.registry_requests import (
    Known,
    RegisteredSchema,
    RegistryRequests,
    Request,
    interpret,
)

URL = "http://registry.test:8081"
SCHEMA = '{"type": "string"}'


def _error(error_code, message="refused"):
    return json.dumps({"error_code": error_code, "message": message})


def _version(subject="s", version=2, schema_id=7):
    return json.dumps({"subject": subject, "version": version, "id": schema_id, "schema": SCHEMA})


class TestInterpret:
    def test_success_is_the_json_body(self):
        """A 2xx answer is its JSON body, whatever the status in the range."""
        assert interpret(URL, 200, '{"id": 3}') == {"id": 3}
        assert interpret(URL, 204, "") is None

    @pytest.mark.parametrize(
        ("status", "error_code", "error"),
        [
            (404, 40401, errors.RegistrySubjectNotFoundError),
            (404, 40402, errors.RegistryVersionNotFoundError),
            (404, 40403, errors.RegistrySchemaNotFoundError),
            (422, 42201, errors.RegistryInvalidSchemaError),
            (409, 409, errors.RegistryIncompatibleSchemaError),
        ],
    )
    def test_error_code_chooses_the_error(self, status, error_code, error):
        """The body's Confluent error code picks the typed error, keeping status and message."""
        with pytest.raises(error) as caught:
            interpret(URL, status, _error(error_code, "Subject 's' not found."))
        assert (caught.value.status, caught.value.error_code) == (status, error_code)
        assert caught.value.registry_message == "Subject 's' not found."
        assert caught.value.url == URL
        assert URL in str(caught.value)

    def test_unknown_code_is_a_request_error(self):
        """An error code the client has no type for is the plain `errors.RegistryRequestError`."""
        with pytest.raises(errors.RegistryRequestError) as caught:
            interpret(URL, 500, _error(50001, "store failed"))
        assert type(caught.value) is errors.RegistryRequestError
        assert caught.value.error_code == 50001

    def test_body_without_json_uses_status_and_text(self):
        """A non-JSON error answer names the HTTP status and the first 200 characters."""
        with pytest.raises(errors.RegistryRequestError) as caught:
            interpret(URL, 502, "Bad Gateway " + "x" * 300)
        assert caught.value.error_code == 502
        assert caught.value.registry_message == ("Bad Gateway " + "x" * 300)[:200]

    def test_schema_not_found_for_an_id_is_an_unknown_schema_id(self):
        """A 40403 when asking for an id is the codec's `UnknownSchemaIdError` for that id."""
        with pytest.raises(errors.RegistrySchemaIdNotFoundError) as caught:
            interpret(URL, 404, _error(40403, "Schema 42 not found"), schema_id=42)
        assert isinstance(caught.value, UnknownSchemaIdError)
        assert caught.value.schema_id == 42

    def test_incompatible_is_also_the_codecs_incompatible_error(self):
        """A 409 can be caught as the project's `IncompatibleSchemaError`."""
        with pytest.raises(IncompatibleSchemaError):
            interpret(URL, 409, _error(409))


class TestRegistryRequests:
    def test_register_posts_the_schema_under_the_quoted_subject(self):
        """`register` POSTs `{"schema": ...}` to the subject's versions, the subject quoted."""
        request = RegistryRequests().register("a/b c", SCHEMA)
        assert isinstance(request, Request)
        assert (request.method, request.path) == ("POST", "/subjects/a%2Fb%20c/versions")
        assert json.loads(request.content) == {"schema": SCHEMA}

    def test_registered_id_and_schema_are_cached(self):
        """After a registration, the id and the schema by id are known without a request."""
        requests = RegistryRequests()
        assert requests.register("s", SCHEMA).answer(URL, 200, '{"id": 7}') == 7
        assert requests.register("s", SCHEMA) == Known(7)
        assert requests.schema_by_id(7) == Known(SCHEMA)
        assert isinstance(requests.register("other", SCHEMA), Request)

    def test_refused_registration_caches_nothing(self):
        """A registration the registry refuses leaves the next one to ask again."""
        requests = RegistryRequests()
        with pytest.raises(errors.RegistryIncompatibleSchemaError):
            requests.register("s", SCHEMA).answer(URL, 409, _error(409))
        assert isinstance(requests.register("s", SCHEMA), Request)

    def test_schema_by_id_asks_once_and_knows_the_id(self):
        """`schema_by_id` GETs the id once; an unknown id raises naming that id."""
        requests = RegistryRequests()
        request = requests.schema_by_id(7)
        assert (request.method, request.path, request.content) == ("GET", "/schemas/ids/7", None)
        assert request.answer(URL, 200, json.dumps({"schema": SCHEMA})) == SCHEMA
        assert requests.schema_by_id(7) == Known(SCHEMA)
        with pytest.raises(errors.RegistrySchemaIdNotFoundError) as caught:
            requests.schema_by_id(8).answer(URL, 404, _error(40403))
        assert caught.value.schema_id == 8

    def test_version_and_lookup_read_a_registered_schema(self):
        """`version` GETs a version, `lookup` POSTs the schema; each answers a RegisteredSchema."""
        requests = RegistryRequests()
        latest = requests.version("s", "latest")
        lookup = requests.lookup("s", SCHEMA)
        assert (latest.method, latest.path) == ("GET", "/subjects/s/versions/latest")
        assert (lookup.method, lookup.path) == ("POST", "/subjects/s")
        assert json.loads(lookup.content) == {"schema": SCHEMA}
        expected = RegisteredSchema("s", 2, 7, SCHEMA)
        assert latest.answer(URL, 200, _version()) == expected
        assert lookup.answer(URL, 200, _version()) == expected

    @pytest.mark.parametrize(
        ("version", "path"),
        [
            ("latest", "/compatibility/subjects/s/versions/latest"),
            (3, "/compatibility/subjects/s/versions/3"),
            (None, "/compatibility/subjects/s/versions"),
        ],
    )
    def test_compatibility_path_names_the_version(self, version, path):
        """A version (or none: every version, per the subject's level) picks the path."""
        request = RegistryRequests().check_compatibility("s", SCHEMA, version)
        assert (request.method, request.path) == ("POST", path)
        assert request.answer(URL, 200, '{"is_compatible": false}') is False

    def test_subjects_lists_names(self):
        """`subjects` GETs the subject list and answers it as strings."""
        request = RegistryRequests().subjects()
        assert (request.method, request.path) == ("GET", "/subjects")
        assert request.answer(URL, 200, '["a", "b"]') == ["a", "b"]

import httpx
import pytest
from fakes.agency_json import attendance_json
from fakes.scripted_http import Answer, ScriptedServer

from schemas.models.education import AttendanceMarked
from services.sdk.exceptions import PublishError
from services.sdk.identity import IdentityClient
from services.sdk.retrying import RetrySettings, post_retrying
from services.sdk.sinks import GatewaySink

SETTINGS = RetrySettings(retry_attempts=4, retry_wait_s=0.5, retry_max_wait_s=3.0)
BUSY = Answer(503, {"error": "the broker is unreachable"}, {"Retry-After": "2"})
ACCEPTED = Answer(202, {"accepted": 1, "duplicates": 0, "events": []})


def busy(seconds):
    return httpx.Response(503, headers={"Retry-After": str(seconds)})


class Sleeps:
    """Records the waits asked for instead of waiting."""

    def __init__(self):
        self.waits = []

    async def __call__(self, seconds):
        self.waits.append(seconds)


class TestRetrySettings:
    def test_retry_after_is_followed_up_to_the_cap(self):
        """Retry-After names the wait, cut to retry_max_wait_s."""
        assert SETTINGS.wait_before(1, busy(2)) == 2
        assert SETTINGS.wait_before(1, busy(60)) == 3.0

    def test_without_retry_after_the_wait_doubles(self):
        """No Retry-After (or no answer): retry_wait_s, doubled each try, capped."""
        assert [SETTINGS.wait_before(n, None) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]

    def test_read_from_the_environment(self, monkeypatch):
        """JOINEDUP_SDK_RETRY_ATTEMPTS sets the number of tries."""
        monkeypatch.setenv("JOINEDUP_SDK_RETRY_ATTEMPTS", "11")
        assert RetrySettings().retry_attempts == 11


class TestPostRetrying:
    async def test_a_503_is_tried_again_until_accepted(self):
        """Two 503s then a 202: three tries, waiting what Retry-After said."""
        server, sleeps = ScriptedServer([BUSY, BUSY, ACCEPTED]), Sleeps()
        async with server.client() as client:
            response = await post_retrying(client, "/v1/events", SETTINGS, sleep=sleeps, json={})
        assert response.status_code == 202
        assert (len(server.bodies), sleeps.waits) == (3, [2, 2])

    async def test_the_last_503_is_returned_after_every_try(self):
        """A gateway that stays unavailable gets retry_attempts tries, no more."""
        server, sleeps = ScriptedServer([BUSY]), Sleeps()
        async with server.client() as client:
            response = await post_retrying(client, "/v1/events", SETTINGS, sleep=sleeps, json={})
        assert response.status_code == 503
        assert len(server.bodies) == SETTINGS.retry_attempts

    async def test_other_errors_are_not_retried(self):
        """A 422 is the client's to fix: returned at once."""
        server = ScriptedServer([Answer(422, {"problems": []}), ACCEPTED])
        async with server.client() as client:
            response = await post_retrying(client, "/v1/events", SETTINGS, sleep=Sleeps(), json={})
        assert (response.status_code, len(server.bodies)) == (422, 1)


class TestGatewaySink:
    async def test_rides_out_503s(self):
        """The import sink retries a 503 and then counts the batch accepted."""
        server = ScriptedServer([BUSY, ACCEPTED])
        fast = RetrySettings(retry_attempts=3, retry_wait_s=0.01, retry_max_wait_s=0.01)
        event = AttendanceMarked.model_validate(attendance_json())
        async with server.client() as client:
            refused = await GatewaySink(client, "token", fast).send([event])
        assert (refused, len(server.bodies)) == ([], 2)

    async def test_still_unavailable_after_every_try_is_a_publish_error(self):
        """A gateway still answering 503 after the last try fails the import clearly."""
        fast = RetrySettings(retry_attempts=2, retry_wait_s=0.01, retry_max_wait_s=0.01)
        event = AttendanceMarked.model_validate(attendance_json())
        async with ScriptedServer([BUSY]).client() as client:
            with pytest.raises(PublishError, match="503"):
                await GatewaySink(client, "token", fast).send([event])

    async def test_a_conflicting_event_id_is_a_refused_row(self):
        """A 409 names the event reusing an id: it is refused, the others are sent again."""
        conflict = Answer(
            409,
            {"error": "event_id x", "problems": [{"index": 1, "field": "event_id", "rule": "r"}]},
        )
        server = ScriptedServer([conflict, ACCEPTED])
        events = [AttendanceMarked.model_validate(attendance_json()) for _ in range(3)]
        async with server.client() as client:
            refused = await GatewaySink(client, "token", SETTINGS).send(events)
        assert refused == [(1, "event_id", "r")]
        assert len(server.bodies[1].splitlines()) == 2


class TestIdentityClient:
    async def test_a_503_is_tried_again(self):
        """Resolving an identifier rides out a 503 as well."""
        fast = RetrySettings(retry_attempts=3, retry_wait_s=0.01, retry_max_wait_s=0.01)
        server = ScriptedServer([BUSY, Answer(200, {"child_ref": "cr1_" + "d" * 32})])
        async with server.client() as client:
            identity = IdentityClient(
                "http://gateway", "token", agency="school-100001", client=client, retry=fast
            )
            assert await identity.child_ref("upn", "A123456789012") == "cr1_" + "d" * 32
        assert len(server.bodies) == 2

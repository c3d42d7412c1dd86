import pytest
from consent_service_fakes import AUDITOR, OFFICER, users

from services.config.files import packaged_default
from services.consent.exceptions import ForbiddenError, UnauthenticatedError, UsersFileError
from services.consent.users import UserDirectory


class TestUserDirectory:
    def test_a_known_token_signs_in_its_user(self):
        """A bearer token whose digest is listed signs in that user with their roles."""
        user = users().authenticate(f"Bearer {OFFICER}")
        assert (user.name, user.roles) == ("officer", frozenset({"consent-officer"}))

    def test_missing_or_unknown_tokens_are_unauthenticated(self):
        """No header, another scheme or an unknown token is refused."""
        for header in (None, f"Basic {OFFICER}", "Bearer nope", "Bearer "):
            with pytest.raises(UnauthenticatedError):
                users().authenticate(header)

    def test_a_role_not_held_is_forbidden(self):
        """An auditor may not act as a consent officer."""
        with pytest.raises(ForbiddenError):
            users().authenticate(f"Bearer {AUDITOR}").require("consent-officer")

    def test_the_deployed_file_holds_the_documented_dev_tokens(self):
        """The packaged consent-users.yaml signs in the dev tokens with their roles."""
        deployed = UserDirectory.from_file(packaged_default("consent-users.yaml"))
        assert deployed.authenticate("Bearer dev-token-consent-officer").roles == {
            "consent-officer"
        }
        assert deployed.authenticate("Bearer dev-token-auditor").roles == {"auditor"}

    def test_a_malformed_file_is_reported(self, tmp_path):
        """A users file with a bad digest fails with the file's name."""
        path = tmp_path / "users.yaml"
        path.write_text("users: [{name: x, roles: [auditor], token_sha256: nothex}]")
        with pytest.raises(UsersFileError, match=r"users\.yaml"):
            UserDirectory.from_file(path)

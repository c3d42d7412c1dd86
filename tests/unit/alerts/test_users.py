from pathlib import Path

import pytest

from services.alerts.adapters.config_files import load_duty_users, load_webhooks
from services.alerts.domain.users import DutyUsers, token_digest
from services.alerts.exceptions import AlertsConfigError, UnauthenticatedError
from services.config.files import packaged_default

DUTY_USERS = packaged_default("duty-users.yaml")


class TestDutyUsers:
    def test_token_finds_its_user(self, manager, worker):
        """A valid token signs in as its user."""
        users = DutyUsers([manager, worker])
        assert users.authenticate("t-worker") == worker

    def test_unknown_token_is_refused(self, manager):
        """A token nobody holds is refused."""
        with pytest.raises(UnauthenticatedError):
            DutyUsers([manager]).authenticate("guess")

    def test_empty_token_is_refused(self, manager):
        """An empty token is refused."""
        with pytest.raises(UnauthenticatedError):
            DutyUsers([manager]).authenticate("  ")

    def test_only_managers_assign(self, manager, worker):
        """Duty managers may assign; duty workers may not."""
        assert manager.may_assign
        assert not worker.may_assign

    def test_agencies_served(self, manager, outsider):
        """The agencies with duty users are the agencies served."""
        assert DutyUsers([manager, outsider]).agencies == ("school-100001", "school-100002")


class TestDutyUsersFile:
    def test_shipped_file_accepts_development_tokens(self):
        """The shipped duty-users.yaml signs in `dev-duty-<id>` development tokens."""
        users = load_duty_users(DUTY_USERS)
        assert users.authenticate("dev-duty-dsl-northgate").agency == "school-100001"
        assert users.authenticate("dev-duty-duty-desk").role == "duty-manager"

    def test_file_stores_no_clear_tokens(self):
        """The shipped file holds digests, never a development token in clear."""
        text = DUTY_USERS.read_text(encoding="utf-8")
        assert token_digest("dev-duty-dsl-northgate") in text
        assert "token: " not in text

    def test_malformed_entry_is_named(self, tmp_path: Path):
        """A user entry missing its role is refused with its index."""
        path = tmp_path / "users.yaml"
        path.write_text("users:\n  - {id: a, name: A, agency: school-1, token_sha256: x}\n")
        with pytest.raises(AlertsConfigError, match=r"users\[0\]"):
            load_duty_users(path)


class TestWebhooksFile:
    def test_shipped_file_has_no_receivers(self):
        """The example deployment sends no webhooks."""
        assert load_webhooks(packaged_default("webhooks.yaml")) == {}

    def test_urls_per_agency(self, tmp_path: Path):
        """Receiver URLs are read per agency."""
        path = tmp_path / "hooks.yaml"
        path.write_text("webhooks:\n  - {agency: school-1, urls: ['https://a.example/x']}\n")
        assert load_webhooks(path) == {"school-1": ("https://a.example/x",)}

    def test_non_http_url_is_refused(self, tmp_path: Path):
        """Only http(s) receivers are accepted."""
        path = tmp_path / "hooks.yaml"
        path.write_text("webhooks:\n  - {agency: school-1, urls: ['file:///etc/passwd']}\n")
        with pytest.raises(AlertsConfigError):
            load_webhooks(path)

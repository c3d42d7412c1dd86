import hashlib
import hmac

from services.alerts.domain.signature import signature_header, verify_signature

SECRET = b"shared-secret"
BODY = b'{"type":"alert.raised"}'


class TestSignature:
    def test_header_is_hmac_of_timestamp_and_body(self):
        """v1 is HMAC-SHA256 over "<t>.<body>", hex."""
        expected = hmac.new(SECRET, b"1700000000." + BODY, hashlib.sha256).hexdigest()
        assert signature_header(SECRET, 1_700_000_000, BODY) == f"t=1700000000,v1={expected}"

    def test_verifies_its_own_signature(self):
        """A receiver with the secret accepts a fresh signature."""
        header = signature_header(SECRET, 1_700_000_000, BODY)
        assert verify_signature(header, SECRET, BODY, now=1_700_000_010)

    def test_rejects_a_changed_body(self):
        """A body changed in transit fails verification."""
        header = signature_header(SECRET, 1_700_000_000, BODY)
        assert not verify_signature(header, SECRET, BODY + b" ", now=1_700_000_000)

    def test_rejects_another_secret(self):
        """A signature made with another secret fails."""
        header = signature_header(b"other", 1_700_000_000, BODY)
        assert not verify_signature(header, SECRET, BODY, now=1_700_000_000)

    def test_rejects_a_stale_timestamp(self):
        """An old (replayed) signature fails outside the tolerance."""
        header = signature_header(SECRET, 1_700_000_000, BODY)
        assert not verify_signature(header, SECRET, BODY, now=1_700_001_000)

    def test_rejects_garbage(self):
        """A header without t= fails rather than raising."""
        assert not verify_signature("v1=abc", SECRET, BODY, now=0)

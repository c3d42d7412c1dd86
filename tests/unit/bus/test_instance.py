"""Worker instance names: unique per host and slot, reused after a worker dies."""

from __future__ import annotations

import socket

import pytest

from services.bus.instance import InstanceClashError, claim_instance


class TestClaimInstance:
    def test_two_workers_get_two_slots_and_a_freed_slot_is_reused(self, tmp_path):
        """The second worker gets slot 1; once the first is gone, its slot is taken again."""
        host = socket.gethostname()
        first = claim_instance(tmp_path, "joinedup-router", None)
        second = claim_instance(tmp_path, "joinedup-router", None)
        assert first.name.endswith("-0")
        assert second.name.endswith("-1")
        assert first.name.startswith(host[:5])
        first.release()
        again = claim_instance(tmp_path, "joinedup-router", None)
        assert again.name == first.name
        second.release()
        again.release()

    def test_other_app_ids_have_their_own_slots(self, tmp_path):
        """Slots count per app id: the thresholds worker's slot 0 is not the router's."""
        router = claim_instance(tmp_path, "joinedup-router", None)
        thresholds = claim_instance(tmp_path, "joinedup-thresholds", None)
        assert router.name == thresholds.name
        router.release()
        thresholds.release()

    def test_an_explicit_instance_held_twice_is_one_clear_error(self, tmp_path):
        """The same --instance twice on one host: refused, naming the instance."""
        held = claim_instance(tmp_path, "joinedup-router", "blue")
        with pytest.raises(InstanceClashError, match="'blue'"):
            claim_instance(tmp_path, "joinedup-router", "blue")
        held.release()
        assert claim_instance(tmp_path, "joinedup-router", "blue").name == "blue"

"""The audit indexer's principal may read the audit topics and use its group; nothing more."""

from __future__ import annotations

from services.audit.indexer import INDEXER_GROUP
from services.bus import topics
from services.governance.acls import AUDIT_INDEXER_GROUP, CONSENT, access_of, exact
from services.governance.platform_topics import FIXED
from services.governance.principals import AUDIT_INDEXER, SERVICES


class TestAuditIndexerAccess:
    def test_the_indexer_s_default_group_is_the_one_its_acls_name(self):
        """`joinedup audit indexer` joins the group its principal may read."""
        assert INDEXER_GROUP == AUDIT_INDEXER_GROUP

    def test_it_reads_both_audit_topics_and_writes_only_their_dead_letters(self):
        """Reads audit.disclosures and audit.reviews; writes deadletter.audit.*; no transactions."""
        access = access_of(AUDIT_INDEXER.principal)

        assert AUDIT_INDEXER in SERVICES
        assert set(access.reads) == {exact(topics.AUDIT_DISCLOSURES), exact(topics.AUDIT_REVIEWS)}
        assert set(access.writes) == {
            exact(topics.deadletter(topics.AUDIT_DISCLOSURES)),
            exact(topics.deadletter(topics.AUDIT_REVIEWS)),
        }
        assert access.groups == (exact(INDEXER_GROUP),)
        assert access.transactional_ids == ()

    def test_the_consent_service_publishes_reviews(self):
        """The consent service may write audit.reviews, a platform topic kept like the audit."""
        assert exact(topics.AUDIT_REVIEWS) in access_of(CONSENT.principal).writes
        assert topics.AUDIT_REVIEWS in FIXED
        assert topics.topic_config(topics.AUDIT_REVIEWS) == topics.topic_config(
            topics.AUDIT_DISCLOSURES
        )

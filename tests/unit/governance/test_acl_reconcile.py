"""The ACL diff: what to create and delete, for the principals the bus manages only."""

from __future__ import annotations

from services.governance.acls import AclRule
from services.governance.reconcile import AclDiff, diff_acls

VIEW_A = AclRule("User:school-a", "topic", "literal", "view.school-a", "read")
GROUPS_A = AclRule("User:school-a", "group", "prefixed", "school-a-", "read")
MANAGED = frozenset({"User:school-a", "User:joinedup.router"})


class TestAclDiff:
    def test_an_unmanaged_principals_acl_is_left_alone(self):
        """An operator's tool's binding is neither deleted nor reported."""
        tool = AclRule("User:backup-tool", "topic", "prefixed", "", "read")
        diff = diff_acls({VIEW_A}, {VIEW_A, tool}, MANAGED)
        assert diff == AclDiff(create=(), delete=())

    def test_the_super_users_are_never_managed(self):
        """Bindings of User:admin are kept even when named as managed."""
        admin = AclRule("User:admin", "topic", "literal", "view.school-a", "read")
        diff = diff_acls(set(), {admin}, MANAGED | {"User:admin"})
        assert diff.empty

    def test_missing_bindings_are_created_and_extra_ones_deleted(self):
        """School A lacks its group binding and holds a write it should not have."""
        extra = AclRule("User:school-a", "topic", "literal", "ingest.school-a", "write")
        diff = diff_acls({VIEW_A, GROUPS_A}, {VIEW_A, extra}, MANAGED)
        assert diff == AclDiff(create=(GROUPS_A,), delete=(extra,))

    def test_a_service_principal_no_longer_desired_is_cleared(self):
        """A `joinedup.*` principal is the bus's even when nothing wants it any more."""
        old = AclRule("User:joinedup.old-service", "topic", "literal", "alerts.raised", "read")
        diff = diff_acls(set(), {old}, MANAGED)
        assert diff.delete == (old,)

    def test_a_deny_binding_of_a_managed_principal_is_removed(self):
        """The desired ACLs are the whole truth for a managed principal, denials included."""
        deny = AclRule("User:school-a", "topic", "literal", "view.school-a", "read", allow=False)
        diff = diff_acls({VIEW_A}, {VIEW_A, deny}, MANAGED)
        assert diff.delete == (deny,)

    def test_lines_say_minus_for_deletions_then_plus_for_creations(self):
        """One line per binding, principal first, resource and its matching last."""
        extra = AclRule("User:school-a", "topic", "literal", "ingest.school-a", "write")
        lines = AclDiff(create=(GROUPS_A,), delete=(extra,)).lines()
        assert lines == [
            "- User:school-a ALLOW WRITE topic ingest.school-a (literal)",
            "+ User:school-a ALLOW READ group school-a- (prefixed)",
        ]

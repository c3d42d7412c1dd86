"""The audit index: decisions by month partition, positions, chain breaks, reviews, retention.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE audit_decision (
  topic_partition integer NOT NULL,
  topic_offset bigint NOT NULL,
  decision_id uuid NOT NULL,
  decided_at timestamptz NOT NULL,
  child_ref text NOT NULL,
  subject_event_id uuid NOT NULL,
  subject_event_type text NOT NULL,
  correlation_id text,
  recipient text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('permit', 'deny')),
  fields text[] NOT NULL,
  agreement_id text,
  legal_basis text,
  purpose text,
  override boolean NOT NULL,
  reason text NOT NULL,
  policy_version text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (decided_at, topic_partition, topic_offset)
) PARTITION BY RANGE (decided_at);

CREATE INDEX audit_decision_child ON audit_decision
  (child_ref, decided_at, topic_partition, topic_offset);
CREATE INDEX audit_decision_recipient ON audit_decision
  (recipient, decided_at, topic_partition, topic_offset);
CREATE INDEX audit_decision_agreement ON audit_decision (agreement_id, decided_at);
CREATE INDEX audit_decision_event_type ON audit_decision (subject_event_type, decided_at);
CREATE INDEX audit_decision_decision ON audit_decision (decision, decided_at);
CREATE INDEX audit_decision_override ON audit_decision
  (decided_at, topic_partition, topic_offset) WHERE override;

CREATE TABLE audit_index_position (
  topic text,
  topic_partition integer,
  next_offset bigint NOT NULL,
  chain_tail text NOT NULL,
  PRIMARY KEY (topic, topic_partition)
);

CREATE TABLE audit_chain_break (
  topic text NOT NULL,
  topic_partition integer NOT NULL,
  topic_offset bigint NOT NULL,
  problem text NOT NULL,
  found_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, topic_partition, topic_offset)
);

CREATE TABLE override_review (
  review_id uuid PRIMARY KEY,
  decided_at timestamptz NOT NULL,
  topic_partition integer NOT NULL,
  topic_offset bigint NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('upheld', 'escalate')),
  note text NOT NULL,
  reviewer text NOT NULL,
  reviewed_at timestamptz NOT NULL
);
CREATE INDEX override_review_decision ON override_review
  (decided_at, topic_partition, topic_offset);

CREATE TABLE retention_run (
  run_id uuid PRIMARY KEY,
  ran_at timestamptz NOT NULL,
  record_class text NOT NULL,
  cutoff timestamptz NOT NULL,
  removed bigint NOT NULL
);
"""

DROP = """
DROP TABLE retention_run;
DROP TABLE override_review;
DROP TABLE audit_chain_break;
DROP TABLE audit_index_position;
DROP TABLE audit_decision;
"""


def upgrade() -> None:
    """Create the audit index's tables (month partitions are made on demand)."""
    op.execute(TABLES)


def downgrade() -> None:
    """Drop the audit index's tables, partitions included."""
    op.execute(DROP)

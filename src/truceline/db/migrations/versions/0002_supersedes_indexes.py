"""Indexes on incidents.supersedes_id and claims.supersedes_id: "is this the current version?" on every list.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 08:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index("ix_incidents_supersedes_id", ["supersedes_id"], unique=False)
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_supersedes_id", ["supersedes_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_supersedes_id")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_supersedes_id")

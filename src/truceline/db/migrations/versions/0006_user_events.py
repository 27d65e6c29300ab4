"""User events as records of their own: disabling an account or rehashing its password leaves its row.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The users rows stay as they are, and the app folds events onto each row as it stands. A row changed
    # before this revision has a second ledger entry for its id, which verification now names: the log is
    # append-only, so such an entry cannot be taken back (docs/ledger.md, "one entry per record").
    op.create_table(
        "user_events",
        sa.Column("user_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("supersedes_id", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_events")),
    )
    with op.batch_alter_table("user_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_events_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    # Dropping events would bring disabled accounts back to life; refuse while there are any.
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM user_events")).scalar()
    if count:
        raise RuntimeError(f"refusing to downgrade: {count} user event(s) would be lost")
    with op.batch_alter_table("user_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_events_user_id"))
    op.drop_table("user_events")

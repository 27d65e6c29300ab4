"""Notices to a party's liaison and their read receipts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("complaint_id", sa.String(length=80), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("supersedes_id", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index(op.f("ix_notices_party"), "notices", ["party"])
    op.create_index(op.f("ix_notices_complaint_id"), "notices", ["complaint_id"])
    op.create_table(
        "notice_receipts",
        sa.Column("notice_id", sa.String(length=80), nullable=False),
        sa.Column("reader", sa.String(length=120), nullable=False),
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("supersedes_id", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_receipts_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_receipts")),
    )
    op.create_index(op.f("ix_notice_receipts_notice_id"), "notice_receipts", ["notice_id"])


def downgrade() -> None:
    # A notice is the proof that a party was told; refuse to drop any.
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM notices")).scalar()
    if count:
        raise RuntimeError(f"refusing to downgrade: {count} notice(s) would be lost")
    op.drop_index(op.f("ix_notice_receipts_notice_id"), table_name="notice_receipts")
    op.drop_table("notice_receipts")
    op.drop_index(op.f("ix_notices_complaint_id"), table_name="notices")
    op.drop_index(op.f("ix_notices_party"), table_name="notices")
    op.drop_table("notices")

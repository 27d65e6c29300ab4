"""API token revocations as records of their own: revoking a token no longer edits its row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # api_tokens.is_revoked stays: rows revoked before this revision are committed to in the ledger
    # with the flag set, and changing them would break their commitments.
    op.create_table(
        "api_token_revocations",
        sa.Column("token_id", sa.String(length=80), nullable=False),
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("supersedes_id", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token_revocations")),
        sa.UniqueConstraint("token_id", name=op.f("uq_api_token_revocations_token_id")),
    )


def downgrade() -> None:
    # Dropping revocations would bring revoked tokens back to life; refuse while there are any.
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM api_token_revocations")).scalar()
    if count:
        raise RuntimeError(f"refusing to downgrade: {count} token revocation(s) would be lost")
    op.drop_table("api_token_revocations")

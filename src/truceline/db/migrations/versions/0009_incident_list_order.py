"""An index in the incident list's order: `date_start DESC NULLS LAST, id`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite sorts NULL lowest, so DESC already puts undated incidents last, and its CREATE INDEX has no
    # NULLS clause; PostgreSQL sorts NULL highest and needs it said.
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    date_order = "date_start DESC" if is_sqlite else "date_start DESC NULLS LAST"
    op.create_index("ix_incidents_date_start_desc_id", "incidents", [sa.text(date_order), "id"])


def downgrade() -> None:
    op.drop_index("ix_incidents_date_start_desc_id", table_name="incidents")

"""Incident members as rows, and recluster marks: recluster finds new and withdrawn claims by index.

`incident_members` holds `incidents.claim_ids` as (claim, incident version) rows, filled here from every
stored version; `recluster_marks` starts empty, so the first recluster after this revision reads the ledger
from its start, once (incidents/models.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PAGE = 5000  # incident versions read per query while filling incident_members


def upgrade() -> None:
    op.create_table(
        "incident_members",
        sa.Column("claim_id", sa.String(length=80), nullable=False),
        sa.Column("incident_id", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", "incident_id", name=op.f("pk_incident_members")),
    )
    op.create_table(
        "recluster_marks",
        sa.Column("ledger_size", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("ledger_size", name=op.f("pk_recluster_marks")),
    )
    _fill_incident_members(op.get_bind())


def _fill_incident_members(bind: sa.Connection) -> None:
    incidents = sa.table("incidents", sa.column("id", sa.String()), sa.column("claim_ids", sa.JSON()))
    members = sa.table(
        "incident_members", sa.column("claim_id", sa.String()), sa.column("incident_id", sa.String())
    )
    last = ""
    while True:
        query = (
            sa.select(incidents.c.id, incidents.c.claim_ids)
            .where(incidents.c.id > last)
            .order_by(incidents.c.id)
            .limit(_PAGE)
        )
        page = list(bind.execute(query))
        if not page:
            return
        rows = [
            {"claim_id": claim_id, "incident_id": incident_id}
            for incident_id, claim_ids in page
            for claim_id in dict.fromkeys(str(c) for c in claim_ids or [])
        ]
        if rows:
            bind.execute(sa.insert(members), rows)
        last = page[-1][0]


def downgrade() -> None:
    # Both tables are derived from the ledgered incidents and the ledger: nothing is lost.
    op.drop_table("recluster_marks")
    op.drop_table("incident_members")

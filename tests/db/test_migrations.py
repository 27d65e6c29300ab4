from sqlalchemy import Column, Integer, Table

from truceline.db.engine import make_engine
from truceline.db.migrate import schema_differences
from truceline.records import RECORD_MODELS, Base


def test_migrations_create_exactly_the_schema_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    assert schema_differences(engine, Base.metadata) == []
    engine.dispose()


def test_schema_comparison_notices_a_model_the_migrations_do_not_have(database_url: str) -> None:
    extra = Table("not_migrated", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        engine = make_engine(database_url)
        differences = schema_differences(engine, Base.metadata)
        engine.dispose()
    finally:
        Base.metadata.remove(extra)
    assert [d[0] for d in differences] == ["add_table"]


def test_every_core_object_of_the_design_has_a_ledgered_table() -> None:
    kinds = {model.ledger_kind() for model in RECORD_MODELS}
    assert {
        "sources",
        "documents",
        "claims",
        "incidents",
        "complaints",
        "responses",
        "cases",
        "evidence",
        "findings",
        "penalties",
        "notifications",
        "talks_rounds",
        "users",
    } <= kinds

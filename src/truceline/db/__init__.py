"""Engine and session factory, declarative base, portable column types, Alembic migrations."""

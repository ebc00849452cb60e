"""The Alembic chain and the table definitions describe the same schema, on both backends."""

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from starstats_server.db.engine import create_engine
from starstats_server.db.migrate import current_revision, head_revision, upgrade_to_head
from starstats_server.db.tables import metadata


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def test_migrated_database_matches_the_tables_exactly(db_url: str) -> None:
    async def _check() -> tuple[list[object], str | None]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                diff = await conn.run_sync(_diff)
            return diff, await current_revision(engine)
        finally:
            await engine.dispose()

    diff, revision = asyncio.run(_check())
    assert diff == [], f"models and migrations drifted: {diff}"
    assert revision == head_revision()


def test_upgrading_an_up_to_date_database_changes_nothing(db_url: str) -> None:
    async def _again() -> list[object]:
        engine = create_engine(db_url)
        try:
            await upgrade_to_head(engine)
            async with engine.connect() as conn:
                return await conn.run_sync(_diff)
        finally:
            await engine.dispose()

    assert asyncio.run(_again()) == []


def test_a_table_added_only_to_the_models_is_reported_as_drift(db_url: str) -> None:
    import sqlalchemy as sa

    extra = sa.Table("not_migrated", metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:

        async def _check() -> list[object]:
            engine = create_engine(db_url)
            try:
                async with engine.connect() as conn:
                    return await conn.run_sync(_diff)
            finally:
                await engine.dispose()

        diff = asyncio.run(_check())
    finally:
        metadata.remove(extra)
    assert any("not_migrated" in str(item) for item in diff)

"""record rows' link to their import batch, checked once per statement on PostgreSQL

PostgreSQL checks a foreign key row by row: a COPY of a million episodes spent 8 of its 14 s
looking up `batch_id` in import_batches. Here the record tables' keys give way to statement-level
triggers over transition tables, which make the same guarantees once per statement: every row
inserted or updated names an existing batch (else the statement fails, as the key would), and
deleting a batch deletes its rows (as ON DELETE CASCADE did). SQLite checks its keys at no
measurable cost and keeps them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RECORD_TABLES = (
    "actions",
    "allowances",
    "budget_lines",
    "children",
    "commitments",
    "cost_centres",
    "episodes",
    "ledger_entries",
    "posts",
)

CHECK_FUNCTION = """
CREATE FUNCTION carecast_batch_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unknown integer;
BEGIN
    SELECT r.batch_id INTO unknown FROM carecast_rows AS r
    WHERE NOT EXISTS (SELECT 1 FROM import_batches AS b WHERE b.id = r.batch_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates its link to import_batches',
            TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (batch_id)=(%s) is not present in import_batches.', unknown);
    END IF;
    RETURN NULL;
END;
$$
"""

CASCADE_FUNCTION = f"""
CREATE FUNCTION carecast_remove_batch_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    record_table text;
BEGIN
    FOREACH record_table IN ARRAY ARRAY[{", ".join(f"'{t}'" for t in RECORD_TABLES)}] LOOP
        EXECUTE format(
            'DELETE FROM %I WHERE batch_id IN (SELECT id FROM carecast_removed)', record_table
        );
    END LOOP;
    RETURN NULL;
END;
$$
"""

KEEP_ID_FUNCTION = """
CREATE FUNCTION carecast_batch_id_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id THEN
        RAISE EXCEPTION 'an import batch keeps its id (rows of other tables name it)'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END;
$$
"""


def _key(table: str) -> str:
    return f"fk_{table}_batch_id_import_batches"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(CHECK_FUNCTION)
    op.execute(CASCADE_FUNCTION)
    op.execute(KEEP_ID_FUNCTION)
    for table in RECORD_TABLES:
        op.drop_constraint(_key(table), table, type_="foreignkey")
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {table}_batch_exists_{event.lower()} AFTER {event} ON {table} "
                "REFERENCING NEW TABLE AS carecast_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION carecast_batch_exists()"
            )
    op.execute(
        "CREATE TRIGGER import_batches_remove_rows AFTER DELETE ON import_batches "
        "REFERENCING OLD TABLE AS carecast_removed "
        "FOR EACH STATEMENT EXECUTE FUNCTION carecast_remove_batch_rows()"
    )
    op.execute(
        "CREATE TRIGGER import_batches_id_fixed BEFORE UPDATE OF id ON import_batches "
        "FOR EACH ROW EXECUTE FUNCTION carecast_batch_id_fixed()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER import_batches_id_fixed ON import_batches")
    op.execute("DROP TRIGGER import_batches_remove_rows ON import_batches")
    for table in RECORD_TABLES:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER {table}_batch_exists_{event} ON {table}")
        op.create_foreign_key(
            _key(table), table, "import_batches", ["batch_id"], ["id"], ondelete="CASCADE"
        )
    for function in ("carecast_batch_id_fixed", "carecast_remove_batch_rows"):
        op.execute(f"DROP FUNCTION {function}()")
    op.execute("DROP FUNCTION carecast_batch_exists()")

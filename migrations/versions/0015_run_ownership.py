"""The database owns a run: stages as data, a one-level lease with its run id, armed test faults.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0015_run_ownership.sql")


def downgrade() -> None:
    op.execute("ALTER TABLE attrib.test_faults DROP COLUMN armed")
    op.execute("ALTER TABLE attrib.run_lease DROP COLUMN run_id")
    op.execute("ALTER TABLE attrib.run_lease ADD COLUMN depth int NOT NULL DEFAULT 0 CHECK (depth >= 0)")
    op.execute("UPDATE attrib.run_lease SET depth = 1 WHERE pid IS NOT NULL")
    op.execute("""
        CREATE OR REPLACE VIEW attrib.runs AS
        SELECT l.run_id, min(l.started_at) AS started_at,
               CASE WHEN bool_and(l.status <> 'running') THEN max(l.finished_at) END AS finished_at,
               CASE WHEN bool_or(l.status = 'failed') THEN 'failed'
                    WHEN bool_or(l.status = 'running' AND a.pid IS NOT NULL) THEN 'running'
                    WHEN bool_or(l.status = 'running') THEN 'abandoned'
                    ELSE 'ok' END AS status,
               count(*) FILTER (WHERE l.status = 'ok'
                                  AND l.stage IN ('ingest', 'alias', 'sessionize', 'signup', 'attribute', 'maintain')) = 6
                   AS complete,
               bool_or(l.stage = 'reset') AS full_rebuild,
               array_agg(l.stage ORDER BY l.started_at, l.stage) AS stages,
               (array_agg(l.started_by ORDER BY l.started_at, l.stage))[1] AS started_by,
               (array_agg(l.pid ORDER BY l.started_at DESC, l.stage))[1] AS pid,
               (array_agg(l.run_as ORDER BY l.started_at, l.stage))[1] AS run_as
          FROM attrib.run_log l
          LEFT JOIN pg_stat_activity a ON a.pid = l.pid AND a.datname = current_database()
         GROUP BY l.run_id""")
    op.execute("DROP FUNCTION IF EXISTS attrib._run_stages()")  # its BEGIN ATOMIC body depends on the table
    op.execute("DROP TABLE attrib.stages")
    # the run functions of this revision read what was just dropped: an upgrade re-applies them
    op.execute("DELETE FROM attrib.deployed_procedures WHERE file_name LIKE '\\_run\\_%' OR file_name LIKE 'run\\_%'")

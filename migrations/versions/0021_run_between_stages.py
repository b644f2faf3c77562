"""A run between two stages is running: attrib.runs also asks the run lease.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from attrib.procedures import run_migration_sql

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0021_run_between_stages.sql")


def downgrade() -> None:
    # 0015's view: it reads only attrib.run_log
    from alembic import op

    op.execute("""
        CREATE OR REPLACE VIEW attrib.runs AS
        SELECT l.run_id, min(l.started_at) AS started_at,
               CASE WHEN bool_and(l.status <> 'running') THEN max(l.finished_at) END AS finished_at,
               CASE WHEN bool_or(l.status = 'failed') THEN 'failed'
                    WHEN bool_or(l.status = 'running' AND a.pid IS NOT NULL) THEN 'running'
                    WHEN bool_or(l.status = 'running') THEN 'abandoned'
                    ELSE 'ok' END AS status,
               count(*) FILTER (WHERE l.status = 'ok' AND s.in_run)
                   = (SELECT count(*) FROM attrib.stages x WHERE x.in_run) AS complete,
               bool_or(l.stage = 'reset') AS full_rebuild,
               array_agg(l.stage ORDER BY l.started_at, l.stage) AS stages,
               (array_agg(l.started_by ORDER BY l.started_at, l.stage))[1] AS started_by,
               (array_agg(l.pid ORDER BY l.started_at DESC, l.stage))[1] AS pid,
               (array_agg(l.run_as ORDER BY l.started_at, l.stage))[1] AS run_as
          FROM attrib.run_log l
          LEFT JOIN attrib.stages s ON s.name = l.stage
          LEFT JOIN pg_stat_activity a ON a.pid = l.pid AND a.datname = current_database()
         GROUP BY l.run_id""")

"""Id and key columns in byte order (COLLATE "C"): sorts and B-trees on them compare bytes.

Downgrade keeps them: the code of 0025 reads byte-order keys alike (a
column's own collation beats the database default in every comparison), and
a byte-order key is what the definitions order ties by anyway.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0026_key_columns_byte_order.sql")


def downgrade() -> None:
    pass

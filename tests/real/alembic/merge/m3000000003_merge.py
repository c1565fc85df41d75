"""merge"""
from alembic import op

revision = "m3000000003"
down_revision = ("x2000000002", "y2000000002")


def upgrade():
    op.execute("CREATE TABLE merged_t (id integer PRIMARY KEY)")


def downgrade():
    pass

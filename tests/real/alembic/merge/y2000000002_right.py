"""right"""
from alembic import op

revision = "y2000000002"
down_revision = "r1000000001"


def upgrade():
    op.execute("CREATE TABLE right_t (id integer PRIMARY KEY)")


def downgrade():
    pass

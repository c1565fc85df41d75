"""left"""
from alembic import op

revision = "x2000000002"
down_revision = "r1000000001"


def upgrade():
    op.execute("CREATE TABLE left_t (id integer PRIMARY KEY)")


def downgrade():
    pass

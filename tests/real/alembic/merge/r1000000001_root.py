"""root"""
from alembic import op

revision = "r1000000001"
down_revision = None


def upgrade():
    op.execute("CREATE TABLE root_t (id integer PRIMARY KEY)")


def downgrade():
    pass

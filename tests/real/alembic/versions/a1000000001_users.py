"""create users"""
from alembic import op

revision = "a1000000001"
down_revision = None


def upgrade():
    op.execute("CREATE TABLE users (id integer PRIMARY KEY, name text)")


def downgrade():
    op.execute("DROP TABLE users")

"""create posts"""
from alembic import op

revision = "b2000000002"
down_revision = "a1000000001"


def upgrade():
    op.execute("CREATE TABLE posts (id integer PRIMARY KEY, user_id integer)")


def downgrade():
    op.execute("DROP TABLE posts")

"""create tags"""
from alembic import op

revision = "c3000000003"
down_revision = "b2000000002"


def upgrade():
    op.execute("CREATE TABLE tags (id integer PRIMARY KEY, label text)")


def downgrade():
    op.execute("DROP TABLE tags")

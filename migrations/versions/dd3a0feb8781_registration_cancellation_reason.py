"""registration cancellation reason: the organiser's reason, kept for the manage page

Places cancelled before this revision have no reason stored (it is in the audit log and
the mail that was sent); their manage page says only that the place is given up.

Revision ID: dd3a0feb8781
Revises: a34ad01d40e9
Create Date: 2026-12-01 22:19:18.575821

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dd3a0feb8781'
down_revision = 'a34ad01d40e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancellation_reason', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('cancellation_reason')

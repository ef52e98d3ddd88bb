"""ticket token: a 128-bit secret in every ticket's URL and QR code

The ticket page used to be found by the 10-character read-out code (about 50 bits). Each
registration gets a random secret instead; the read-out code stays, but from now on only
an organiser's check-in page for the registration's own event looks it up. Links and QR
codes in mails sent before this revision carry the old code: they still check in at the
door (the check-in page reads the code from the scanned URL), but no longer open the public
ticket page; "Send e-posten på nytt" sends the new ticket.

Revision ID: a9fcf2f12054
Revises: 7492c9423a8b
Create Date: 2026-12-01 19:27:21.477638

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9fcf2f12054'
down_revision = '7492c9423a8b'
branch_labels = None
depends_on = None

registration = sa.table(
    'registration', sa.column('id', sa.Integer), sa.column('ticket_token', sa.String)
)


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_token', sa.String(length=43), nullable=True))

    # Every existing registration gets its own secret (what tokens.ticket_secret makes).
    connection = op.get_bind()
    ids = connection.execute(sa.select(registration.c.id)).scalars().all()
    if ids:
        connection.execute(
            registration.update()
            .where(registration.c.id == sa.bindparam('row_id'))
            .values(ticket_token=sa.bindparam('secret')),
            [{'row_id': row_id, 'secret': secrets.token_urlsafe(16)} for row_id in ids],
        )

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('ticket_token', existing_type=sa.String(length=43), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_registration_ticket_token'), ['ticket_token'])


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_registration_ticket_token'), type_='unique')
        batch_op.drop_column('ticket_token')

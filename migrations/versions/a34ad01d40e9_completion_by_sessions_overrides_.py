"""completion by sessions, overrides, certification codes, current certifications, reminders

An event's completion rule was a share of sessions (required_attendance_percent); it is now
every session (NULL) or a number of them (required_sessions). Existing values carry over:
100 % becomes every session, a lower share the number of the event's sessions it asked
for, rounded up (75 % of 4 is 3), at least one; a share that asked for every session
anyway becomes every session.

Certifications get is_current (certification/renewal.py): per person and kind, the one not
revoked before a revoked one, then the latest expiry (none counts as latest), then the
latest issue, then the highest id.

Revision ID: a34ad01d40e9
Revises: 26ca5eb9b88b
Create Date: 2026-12-01 19:28:45.549888

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a34ad01d40e9'
down_revision = '26ca5eb9b88b'
branch_labels = None
depends_on = None

SESSION_COUNT = "(SELECT COUNT(*) FROM event_session s WHERE s.event_id = event.id)"
CURRENT = """
UPDATE certification SET is_current = (id IN (
  SELECT id FROM (
    SELECT id, row_number() OVER (
      PARTITION BY person_id, kind_id
      ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END,
               expires_on DESC NULLS FIRST, issued_on DESC, id DESC
    ) AS rank
    FROM certification
  ) ranked WHERE rank = 1
))
"""


def upgrade():
    op.create_table('completion_override',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_completion_override_decided_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_completion_override_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_completion_override'))
    )
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('imported_from', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('expiry_reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('is_current', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_index(batch_op.f('ix_certification_municipality_number'))
        batch_op.drop_index(batch_op.f('ix_certification_person_id'))
        batch_op.create_index('ix_certification_current_roster', ['municipality_number', 'kind_id'], unique=False, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.create_index('ix_certification_person_kind', ['person_id', 'kind_id'], unique=False)
        batch_op.create_index('uq_certification_event_person_kind', ['event_id', 'person_id', 'kind_id'], unique=True, sqlite_where=sa.text('event_id IS NOT NULL'), postgresql_where=sa.text('event_id IS NOT NULL'))
    op.execute(CURRENT)
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.alter_column('imported_from', server_default=None)
        batch_op.alter_column('is_current', server_default=None)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_sessions', sa.Integer(), nullable=True))
    needed = f"(event.required_attendance_percent * {SESSION_COUNT} + 99) / 100"
    op.execute(
        f"UPDATE event SET required_sessions = CASE WHEN {needed} < 1 THEN 1 ELSE {needed} END"
        " WHERE required_attendance_percent < 100"
    )
    op.execute(f"UPDATE event SET required_sessions = NULL WHERE required_sessions >= {SESSION_COUNT}")
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_required_attendance_percent'), type_='check')
        batch_op.drop_column('required_attendance_percent')
        batch_op.create_check_constraint(
            'required_sessions_positive', 'required_sessions IS NULL OR required_sessions >= 1'
        )


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_required_sessions_positive'), type_='check')
        batch_op.add_column(sa.Column('required_attendance_percent', sa.INTEGER(), nullable=False, server_default='100'))
    share = f"(event.required_sessions * 100) / {SESSION_COUNT}"
    op.execute(
        f"UPDATE event SET required_attendance_percent = CASE WHEN {share} > 100 THEN 100"
        f" WHEN {share} < 1 THEN 1 ELSE {share} END"
        f" WHERE required_sessions IS NOT NULL AND {SESSION_COUNT} > 0"
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('required_attendance_percent', server_default=None)
        batch_op.drop_column('required_sessions')
        batch_op.create_check_constraint(
            'required_attendance_percent', 'required_attendance_percent BETWEEN 1 AND 100'
        )

    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.drop_index('uq_certification_event_person_kind', sqlite_where=sa.text('event_id IS NOT NULL'), postgresql_where=sa.text('event_id IS NOT NULL'))
        batch_op.drop_index('ix_certification_person_kind')
        batch_op.drop_index('ix_certification_current_roster', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.create_index(batch_op.f('ix_certification_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_municipality_number'), ['municipality_number'], unique=False)
        batch_op.drop_column('is_current')
        batch_op.drop_column('expiry_reminded_at')
        batch_op.drop_column('imported_from')

    op.drop_table('completion_override')

"""Initial tables: questionnaire versions, staff, drafts and responses.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 05:40:52.361248
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('questionnaire_version',
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('content_hash')
    )
    with op.batch_alter_table('questionnaire_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_version_questionnaire_id'), ['questionnaire_id'], unique=False)

    op.create_table('staff_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=12), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=64), nullable=False),
    sa.Column('version_hash', sa.String(length=64), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('segment', sa.String(length=32), nullable=False),
    sa.Column('segment_source', sa.String(length=16), nullable=False),
    sa.Column('campaign', sa.String(length=64), nullable=True),
    sa.Column('wave', sa.String(length=64), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('paradata', sa.JSON(), nullable=False),
    sa.Column('answers_hash', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['version_hash'], ['questionnaire_version.content_hash'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference'),
    sa.UniqueConstraint('submission_id'),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index('ix_response_questionnaire_submitted', ['questionnaire_id', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_status'), ['status'], unique=False)

    op.create_table('staff_session',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)

    op.create_table('draft',
    sa.Column('id', sa.String(length=43), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=64), nullable=False),
    sa.Column('version_hash', sa.String(length=64), nullable=False),
    sa.Column('resume_code', sa.String(length=16), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('page_seconds', sa.JSON(), nullable=False),
    sa.Column('preset', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], ),
    sa.ForeignKeyConstraint(['version_hash'], ['questionnaire_version.content_hash'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('resume_code'),
    sa.UniqueConstraint('submission_id')
    )


def downgrade() -> None:
    op.drop_table('draft')
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_user_id'))

    op.drop_table('staff_session')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_status'))
        batch_op.drop_index('ix_response_questionnaire_submitted')

    op.drop_table('response')
    op.drop_table('staff_user')
    with op.batch_alter_table('questionnaire_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_version_questionnaire_id'))

    op.drop_table('questionnaire_version')

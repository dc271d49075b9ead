"""Anonymity ledgers, random response ids and stored bank versions.

Responses get random ids and lose SQLite's hidden row number; their answers move
with them. Every existing wave is given the bank file in use now as its stored
version, and its responses are released in whole groups of its threshold in the
order they were stored (the only time that order is used), so the published
figures follow the new rule from the start.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

"""
import hashlib
import os
import secrets
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

SIDES = ('marketing', 'sales')
SIDE_CHECK = "side IN ('marketing', 'sales')"


def _bank_text():
    path = current_app.config.get('BANK_PATH') or (
        Path(__file__).resolve().parents[2] / 'questions.yaml'
    )
    return Path(path).read_text(encoding='utf-8')


def _response_tables():
    op.create_table('response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('release_group', sa.SmallInteger(), nullable=True),
    sa.CheckConstraint(SIDE_CHECK, name=op.f('ck_response_side_known')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_response_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sqlite_with_rowid=False
    )
    op.create_index('ix_response_assessment_side', 'response', ['assessment_id', 'side', 'counted'], unique=False)
    op.create_index('ix_response_release', 'response', ['assessment_id', 'side', 'release_group'], unique=False)
    op.create_table('answer',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('value', sa.SmallInteger(), nullable=True),
    sa.CheckConstraint('value IS NULL OR (value BETWEEN 1 AND 5)', name=op.f('ck_answer_value_on_scale')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_answer_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'item_id', name=op.f('pk_answer')),
    sqlite_with_rowid=False
    )


def _draft_table():
    op.create_table('draft',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_on', sa.Date(), nullable=False),
    sa.Column('invitation_code', sa.String(length=32), nullable=True),
    sa.CheckConstraint(SIDE_CHECK, name=op.f('ck_draft_side_known')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_draft_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_draft')),
    sqlite_with_rowid=False
    )
    op.create_index(op.f('ix_draft_assessment_id'), 'draft', ['assessment_id'], unique=False)


def _ledgers(connection, waves, responses, answers, bank):
    """Release every wave's stored responses in whole groups, in the order they came."""
    from scoring.model import Response as ScoringResponse, Side
    from scoring.release import contribution, take_in, Ledger

    columns = {0: 'dont_know', 1: 'n1', 2: 'n2', 3: 'n3', 4: 'n4', 5: 'n5'}
    groups_of = {}
    tables = sa.MetaData()
    tables.reflect(connection, only=['side_ledger', 'question_tally', 'score_tally', 'release'])
    for wave_id, threshold in waves:
        for side in SIDES:
            mine = [r for r in responses if r['assessment_id'] == wave_id and r['side'] == side]
            given = [
                contribution(bank, ScoringResponse(Side(side), answers.get(r['old_id'], {})))
                for r in mine
            ]
            intake = take_in(Ledger(), {}, given, threshold)
            for response, group in zip(mine, intake.groups):
                groups_of[response['old_id']] = group
            ledger = intake.ledger
            connection.execute(tables.tables['side_ledger'].insert().values(
                assessment_id=wave_id, side=side, groups=ledger.groups,
                released_counted=ledger.released.counted,
                released_excluded=ledger.released.excluded,
                pending_counted=ledger.pending.counted,
                pending_excluded=ledger.pending.excluded,
            ))
            for number, used in intake.releases:
                connection.execute(tables.tables['release'].insert().values(
                    assessment_id=wave_id, side=side, number=number, threshold=used))
            rows = {}
            for pending, histogram in ((False, ledger.released.answers), (True, intake.carried)):
                for (question, value), number in histogram.items():
                    row = rows.setdefault((question, pending), dict(
                        assessment_id=wave_id, side=side, question=question, pending=pending,
                        **dict.fromkeys(columns.values(), 0)))
                    row[columns[value]] = number
            if rows:
                connection.execute(tables.tables['question_tally'].insert(), list(rows.values()))
            scores = [
                dict(assessment_id=wave_id, side=side, scope=scope, count=t.count,
                     total=t.total, total_squares=t.total_squares)
                for scope, t in ledger.released.scores.items()
            ]
            if scores:
                connection.execute(tables.tables['score_tally'].insert(), scores)
    return groups_of


def upgrade():
    op.create_table('bank_version',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('stored_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_bank_version'))
    )
    op.create_table('invitation_code',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.CheckConstraint("side IN ('marketing', 'sales')", name=op.f('ck_invitation_code_side_known')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_invitation_code_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_invitation_code')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('invitation_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_code_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('question_tally',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('question', sa.String(length=80), nullable=False),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.Column('dont_know', sa.Integer(), nullable=False),
    sa.Column('n1', sa.Integer(), nullable=False),
    sa.Column('n2', sa.Integer(), nullable=False),
    sa.Column('n3', sa.Integer(), nullable=False),
    sa.Column('n4', sa.Integer(), nullable=False),
    sa.Column('n5', sa.Integer(), nullable=False),
    sa.CheckConstraint("side IN ('marketing', 'sales')", name=op.f('ck_question_tally_side_known')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_question_tally_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', 'side', 'question', 'pending', name=op.f('pk_question_tally'))
    )
    op.create_table('release',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint("side IN ('marketing', 'sales')", name=op.f('ck_release_side_known')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_release_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', 'side', 'number', name=op.f('pk_release'))
    )
    op.create_table('score_tally',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('total_squares', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("side IN ('marketing', 'sales')", name=op.f('ck_score_tally_side_known')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_score_tally_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', 'side', 'scope', name=op.f('pk_score_tally'))
    )
    op.create_table('side_ledger',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('groups', sa.Integer(), nullable=False),
    sa.Column('released_counted', sa.Integer(), nullable=False),
    sa.Column('released_excluded', sa.Integer(), nullable=False),
    sa.Column('pending_counted', sa.Integer(), nullable=False),
    sa.Column('pending_excluded', sa.Integer(), nullable=False),
    sa.CheckConstraint("side IN ('marketing', 'sales')", name=op.f('ck_side_ledger_side_known')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_side_ledger_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', 'side', name=op.f('pk_side_ledger'))
    )
    op.create_table('wave_summary',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('rules', sa.String(length=32), nullable=False),
    sa.Column('placed', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('score_low', sa.Double(), nullable=True),
    sa.Column('score_high', sa.Double(), nullable=True),
    sa.Column('type_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_wave_summary_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_wave_summary'))
    )

    connection = op.get_bind()
    meta = sa.MetaData()
    meta.reflect(connection, only=['assessment', 'response', 'answer', 'draft'])
    waves = [tuple(row) for row in connection.execute(
        sa.select(meta.tables['assessment'].c.id, meta.tables['assessment'].c.threshold))]
    responses = [
        dict(old_id=row.id, assessment_id=row.assessment_id, side=row.side,
             counted=row.counted, submitted_on=row.submitted_on)
        for row in connection.execute(
            sa.select(meta.tables['response']).order_by(meta.tables['response'].c.id))
    ]
    answers = defaultdict(dict)
    for row in connection.execute(sa.select(meta.tables['answer'])):
        answers[row.response_id][row.item_id] = row.value
    drafts = [dict(row._mapping) for row in connection.execute(sa.select(meta.tables['draft']))]

    text = _bank_text()
    digest = hashlib.sha256(text.encode('utf-8')).hexdigest()
    from survey.bank import parse_bank
    bank = parse_bank(text, 'questions.yaml')
    connection.execute(sa.table('bank_version', sa.column('digest'), sa.column('version'),
                                sa.column('text'), sa.column('stored_on')).insert().values(
        digest=digest, version=bank.version, text=text, stored_on=sa.func.current_date()))

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('invitations', sa.String(length=8), nullable=False, server_default='link'))
        batch_op.add_column(sa.Column('marketing_headcount', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('sales_headcount', sa.SmallInteger(), nullable=True))
    connection.execute(sa.text('UPDATE assessment SET bank_digest = :digest'), {'digest': digest})
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.alter_column('bank_digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('invitations', existing_type=sa.String(length=8), server_default=None)
        batch_op.create_index(batch_op.f('ix_assessment_bank_digest'), ['bank_digest'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_assessment_bank_digest_bank_version'), 'bank_version', ['bank_digest'], ['digest'])
        batch_op.create_check_constraint('invitations_known', "invitations IN ('link', 'codes')")
        batch_op.create_check_constraint('marketing_headcount_positive', 'marketing_headcount IS NULL OR marketing_headcount >= 1')
        batch_op.create_check_constraint('sales_headcount_positive', 'sales_headcount IS NULL OR sales_headcount >= 1')

    op.drop_table('answer')
    op.drop_index('ix_response_assessment_side', table_name='response')
    op.drop_table('response')
    op.drop_index(op.f('ix_draft_assessment_id'), table_name='draft')
    op.drop_table('draft')
    _response_tables()
    _draft_table()

    groups_of = _ledgers(connection, waves, responses, answers, bank)
    new_ids = {r['old_id']: secrets.token_hex(16) for r in responses}
    new = sa.MetaData()
    new.reflect(connection, only=['response', 'answer', 'draft'])
    if responses:
        connection.execute(new.tables['response'].insert(), [
            dict(id=new_ids[r['old_id']], assessment_id=r['assessment_id'], side=r['side'],
                 counted=r['counted'], submitted_on=r['submitted_on'],
                 release_group=groups_of.get(r['old_id']))
            for r in responses
        ])
        rows = [dict(response_id=new_ids[old], item_id=item, value=value)
                for old, values in answers.items() if old in new_ids
                for item, value in values.items()]
        if rows:
            connection.execute(new.tables['answer'].insert(), rows)
    if drafts:
        connection.execute(new.tables['draft'].insert(), [dict(d, invitation_code=None) for d in drafts])


def downgrade():
    raise RuntimeError(
        'revision 0002 gave responses random ids and released them in whole groups; '
        'it cannot be undone without losing that. Restore a backup made before it instead.'
    )

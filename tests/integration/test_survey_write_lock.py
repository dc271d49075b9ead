"""A respondent's POST takes the write lock to look its wave up; an unknown link must not
keep it while the error page is made (and the address's failures are counted)."""

from __future__ import annotations

from flask import Flask

from survey.extensions import db
from survey.services.assessments import find_by_survey_token_to_write
from tests.conftest import create_assessment


def test_an_unknown_link_gives_the_write_lock_back_at_once(app: Flask) -> None:
    assert find_by_survey_token_to_write("no-such-token") is None
    assert not db.session().in_transaction()


def test_a_known_link_keeps_the_write_transaction_for_its_unit_of_work(app: Flask) -> None:
    assessment = create_assessment()
    db.session.commit()
    found = find_by_survey_token_to_write(assessment.sales_token)
    assert found is not None and found[0].id == assessment.id
    assert db.session().in_transaction()
    db.session.rollback()

"""The app `bench.submissions` serves: the product, plus a bare insert endpoint to compare with.

``POST /bench/bare-insert`` stores what a respondent's last request sends — one
response and its answers — in one transaction, with nothing else: no form object, no
draft, no ledger, no template, no session. It exists only in this benchmark's app
(``gunicorn 'bench.flow_app:create_app()'``), never in the product's.
"""

from __future__ import annotations

from flask import Flask, request
from sqlalchemy import insert

from app import create_app as create_product_app
from survey.database import begin_write
from survey.extensions import csrf, db
from survey.models import Answer, Response, new_id


def create_app() -> Flask:
    app = create_product_app()

    @app.post("/bench/bare-insert/<int:assessment_id>")
    def bare_insert(assessment_id: int) -> tuple[str, int]:
        response_id = new_id()
        answers = [
            {"response_id": response_id, "item_id": name, "value": int(value)}
            for name, value in request.form.items()
            if value.isdigit()
        ]
        begin_write()  # as the product writes: the lock first (BEGIN IMMEDIATE on SQLite)
        db.session.execute(
            insert(Response).values(
                id=response_id, assessment_id=assessment_id, side="sales", counted=True
            )
        )
        db.session.execute(insert(Answer), answers)
        db.session.commit()
        return "", 204

    csrf.exempt(bare_insert)
    return app

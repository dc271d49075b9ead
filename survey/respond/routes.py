from __future__ import annotations

from flask import render_template

from survey.respond import bp


@bp.get("/")
def home() -> str:
    return render_template("respond/home.html")

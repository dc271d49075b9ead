"""Forms keep working over HTTPS, where Flask-WTF also checks the Referer header."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Draft
from tests.conftest import create_assessment


def test_a_survey_can_be_started_over_https(make_app: Any) -> None:
    app = make_app(WTF_CSRF_ENABLED=True, BASE_URL="https://survey.test")
    with app.app_context():
        token = create_assessment().marketing_token
        client = app.test_client()
        start = client.get(f"/s/{token}", base_url="https://survey.test")
        # Browsers send a same-origin Referer only if the policy allows it.
        assert start.headers["Referrer-Policy"] in {
            "same-origin",
            "strict-origin-when-cross-origin",
        }
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', start.get_data(as_text=True))
        assert csrf is not None
        response = client.post(
            f"/s/{token}/start",
            data={"csrf_token": csrf.group(1)},
            base_url="https://survey.test",
            headers={"Referer": f"https://survey.test/s/{token}"},
        )
        assert response.status_code == 303
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 1
        assert "Strict-Transport-Security" in response.headers

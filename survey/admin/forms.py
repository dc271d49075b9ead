"""Admin forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, Length

from survey.auth.forms import EMAIL_MAX


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class NewConsultantForm(FlaskForm):
    """A new account: its email, and whether it may manage accounts."""

    email = EmailField(
        _l("Email address"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Enter the consultant's email address.")),
            Length(max=EMAIL_MAX, message=_l("An email address has at most 254 characters.")),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    admin = BooleanField(_l("Admin: may also manage accounts and read the audit log"))

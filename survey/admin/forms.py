"""Admin forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from survey.auth.forms import email_field


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class NewConsultantForm(FlaskForm):
    """A new account: its email, and whether it may manage accounts."""

    email = email_field(
        _l("Enter the consultant's email address."),
        _l("An email address has at most 254 characters."),
        autocomplete="off",
    )
    admin = BooleanField(_l("Admin: may also manage accounts and read the audit log"))

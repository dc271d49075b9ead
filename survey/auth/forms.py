"""The sign-in form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

#: The longest address the account table holds.
EMAIL_MAX = 254
#: Longer than any password a person types; keeps hashing cheap for junk input.
PASSWORD_MAX = 1024


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=EMAIL_MAX, message=_l("That is not an email address of an account.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("That password is too long.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )

"""The sign-in form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from survey.services.accounts import MIN_PASSWORD_LENGTH

#: The longest address the account table holds.
EMAIL_MAX = 254
#: Longer than any password a person types; keeps hashing cheap for junk input.
PASSWORD_MAX = 1024


def email_field(required: str, too_long: str, autocomplete: str) -> EmailField:
    """An email address, trimmed, as long as the account table holds; no autocorrection."""
    return EmailField(
        _l("Email address"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(required), Length(max=EMAIL_MAX, message=too_long)],
        render_kw={"autocomplete": autocomplete, "autocapitalize": "none", "spellcheck": "false"},
    )


def _known_password_field(label: str, required: str) -> PasswordField:
    """A password the person already has: the browser may fill it in."""
    return PasswordField(
        label,
        validators=[
            DataRequired(required),
            Length(max=PASSWORD_MAX, message=_l("That password is too long.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class LoginForm(FlaskForm):
    email = email_field(
        _l("Enter your email address."),
        _l("That is not an email address of an account."),
        autocomplete="username",
    )
    password = _known_password_field(_l("Password"), _l("Enter your password."))


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    new = PasswordField(
        _l("New password"),
        description=_l(
            "At least %(num)d characters. A few unrelated words make a good one.",
            num=MIN_PASSWORD_LENGTH,
        ),
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l(
                    "The password needs at least %(num)d characters.", num=MIN_PASSWORD_LENGTH
                ),
            ),
            Length(max=PASSWORD_MAX, message=_l("That password is too long.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Enter the new password a second time.")),
            EqualTo("new_password", message=_l("The two new passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return new, repeat


class SetPasswordForm(FlaskForm):
    """Choosing a password through a set-password link."""

    new_password, new_password_again = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    """Changing one's own password; the current one is asked for first."""

    current_password = _known_password_field(
        _l("Current password"), _l("Enter your current password.")
    )
    new_password, new_password_again = _new_password_fields()

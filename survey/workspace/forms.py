"""Workspace forms. The wave form is built at runtime from the bank's context questions."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from scoring import Bank
from survey.models import NAME_MAX
from survey.services.context import parse_context
from survey.services.invitations import MAX_CODES
from survey.services.organisations import IDENTIFIABLE_BELOW, MAX_HEADCOUNT, MAX_THRESHOLD

CONTEXT_PREFIX = "context_"
YES, NO, DONT_KNOW = "yes", "no", "unknown"


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _name_field(label: str, required: str, description: str = "") -> StringField:
    """A name, trimmed, as long as the name columns hold."""
    return StringField(
        label,
        description=description,
        filters=[_strip],
        validators=[
            DataRequired(required),
            Length(
                max=NAME_MAX,
                message=_l("The name can have at most %(max)d characters.", max=NAME_MAX),
            ),
        ],
    )


def _reasonable_size(_form: object, field: Field) -> None:
    # WTForms' NumberRange turns the value into a float, which overflows for
    # hundreds of digits; such a number is out of range anyway.
    if isinstance(field.data, int) and abs(field.data) > MAX_THRESHOLD:
        raise StopValidation(
            str(_l("The threshold must be a whole number from 1 to %(max)d.", max=MAX_THRESHOLD))
        )


def _reasonable_headcount(_form: object, field: Field) -> None:
    if isinstance(field.data, int) and not 1 <= field.data <= MAX_HEADCOUNT:
        raise StopValidation(
            str(_l("A headcount must be a whole number from 1 to %(max)d.", max=MAX_HEADCOUNT))
        )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class CodesForm(FlaskForm):
    """How many invitation codes to make for one team."""

    count = IntegerField(
        _l("Number of codes"),
        validators=[
            InputRequired(_l("Enter how many codes to make.")),
            NumberRange(min=1, max=MAX_CODES),
        ],
    )


class OrganisationForm(FlaskForm):
    name = _name_field(_l("Organisation name"), _l("Enter the organisation's name."))


class DeleteOrganisationForm(FlaskForm):
    confirm_name = StringField(
        _l("Type the organisation's name to confirm"),
        filters=[_strip],
        validators=[DataRequired(_l("Type the organisation's name to confirm."))],
    )

    def confirms(self, name: str) -> bool:
        """Whether the typed name is the organisation's; adds the error if not."""
        if self.confirm_name.data == name:
            return True
        self.confirm_name.errors = [
            *self.confirm_name.errors,
            str(_l("The name you typed is not the organisation's name. Nothing was deleted.")),
        ]
        return False


class DeleteAssessmentForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, delete this wave with all its responses"),
        validators=[DataRequired(_l("Tick the box to confirm that the wave should be deleted."))],
    )


class AssessmentForm(FlaskForm):
    """A new wave; :func:`assessment_form_class` adds one field per context question."""

    name = _name_field(
        _l("Name of the wave"),
        _l("Enter a name for the wave."),
        description=_l("For example “Baseline” or “After 6 months”."),
    )
    threshold = IntegerField(
        _l("Anonymity threshold"),
        description=_l(
            "Each team's results are shown only once at least this many of its members "
            "have answered."
        ),
        validators=[
            InputRequired(_l("Enter the threshold as a whole number.")),
            _reasonable_size,
            NumberRange(
                min=1,
                max=MAX_THRESHOLD,
                message=_l(
                    "The threshold must be a whole number from 1 to %(max)d.", max=MAX_THRESHOLD
                ),
            ),
        ],
    )
    identifiable_confirmed = BooleanField(
        _l(
            "I understand that with a threshold of 1 or 2, people may be able to tell "
            "who gave which answers."
        )
    )
    invitations = RadioField(
        _l("Who may answer"),
        choices=[
            SelectChoice(
                "link", _l("Anyone with a team's link (workshops, QR codes), up to its headcount")
            ),
            SelectChoice("codes", _l("Only people with a single-use invitation code")),
        ],
        default="link",
        validate_choice=True,
    )
    marketing_headcount = IntegerField(
        _l("Expected marketing respondents"),
        description=_l("Optional. The marketing link stops taking answers at this number."),
        validators=[Optional(), _reasonable_headcount],
    )
    sales_headcount = IntegerField(
        _l("Expected sales respondents"),
        description=_l("Optional. The sales link stops taking answers at this number."),
        validators=[Optional(), _reasonable_headcount],
    )

    def validate_threshold(self, field: Field) -> None:
        if (
            isinstance(field.data, int)
            and 1 <= field.data < IDENTIFIABLE_BELOW
            and not self.identifiable_confirmed.data
        ):
            raise ValidationError(
                _l(
                    "With a threshold below %(limit)d, answers may be identifiable. Tick the "
                    "confirmation below to use it anyway, or choose a higher threshold.",
                    limit=IDENTIFIABLE_BELOW,
                )
            )

    def context_fields(self) -> list[Field]:
        return [field for field in self if field.name.startswith(CONTEXT_PREFIX)]

    def context_answers(self, bank: Bank) -> dict[str, bool | str] | None:
        """The answered context questions (factor id → value); ``None`` if none is answered.

        The radios and selects only offer the bank's answers; ``parse_context`` checks
        them once more, the same way a context file on the command line is checked.
        """
        raw = {
            factor.id: None
            if (value := self[CONTEXT_PREFIX + factor.id].data) == DONT_KNOW
            else value
            for factor in bank.context_factors
        }
        return parse_context(raw, bank) or None


def assessment_form_class(bank: Bank, locale: str) -> type[AssessmentForm]:
    """An :class:`AssessmentForm` with a plain question for each of the bank's context factors."""
    return type("ContextAssessmentForm", (AssessmentForm,), context_fields(bank, locale))


def context_fields(bank: Bank, locale: str) -> dict[str, Field]:
    """One unbound field per context factor of the bank, named ``context_<factor id>``."""
    fields: dict[str, Field] = {}
    for factor in bank.context_factors:
        label = factor.question.get(locale)
        if factor.is_yes_no:
            fields[CONTEXT_PREFIX + factor.id] = RadioField(
                label,
                choices=[
                    SelectChoice(YES, _l("Yes")),
                    SelectChoice(NO, _l("No")),
                    SelectChoice(DONT_KNOW, _l("Don't know")),
                ],
                default=DONT_KNOW,
                validate_choice=True,
            )
        else:
            fields[CONTEXT_PREFIX + factor.id] = SelectField(
                label,
                choices=[
                    SelectChoice("", _l("Don't know")),
                    *(SelectChoice(c, c.capitalize()) for c in factor.choices),
                ],
                default="",
            )
    return fields

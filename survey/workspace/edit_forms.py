"""Forms for changing a wave after it was created, and for its action plan."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from scoring import Bank
from survey.models import NAME_MAX, Assessment
from survey.services.action_plans import MEASURE_MAX, STATUSES
from survey.services.organisations import IDENTIFIABLE_BELOW
from survey.workspace.forms import (
    CONTEXT_PREFIX,
    DONT_KNOW,
    NO,
    YES,
    AssessmentForm,
    context_fields,
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class WaveSettingsForm(AssessmentForm):
    """The new-wave form without the choice of who may answer (that would break the links
    already handed out); the identifiability box is needed only for a *new* low threshold."""

    invitations = None
    #: The threshold the wave has now, set by :func:`settings_form`.
    current_threshold: int | None = None

    def validate_threshold(self, field: Field) -> None:
        if field.data != self.current_threshold:
            super().validate_threshold(field)


def _context_data(assessment: Assessment, bank: Bank) -> dict[str, str]:
    stored = assessment.context or {}
    data = {}
    for factor in bank.context_factors:
        value = stored.get(factor.id)
        if factor.is_yes_no:
            data[CONTEXT_PREFIX + factor.id] = (
                DONT_KNOW if value is None else YES if value is True else NO
            )
        else:
            data[CONTEXT_PREFIX + factor.id] = value if isinstance(value, str) else ""
    return data


def settings_form(assessment: Assessment, bank: Bank, locale: str) -> WaveSettingsForm:
    """The settings form of the wave, filled in with what it has now (on a GET)."""
    form_class = type("ContextWaveSettingsForm", (WaveSettingsForm,), context_fields(bank, locale))
    form: WaveSettingsForm = form_class(
        data={
            "name": assessment.name,
            "threshold": assessment.threshold,
            "marketing_headcount": assessment.marketing_headcount,
            "sales_headcount": assessment.sales_headcount,
            "identifiable_confirmed": assessment.threshold < IDENTIFIABLE_BELOW,
            **_context_data(assessment, bank),
        }
    )
    form.current_threshold = assessment.threshold
    return form


# --- the action plan -----------------------------------------------------------------


def move_choices(bank: Bank, language: str) -> list[SelectChoice]:
    """The bank's moves, grouped by the step up they belong to (``<optgroup>``)."""
    choices = []
    for move in bank.moves:
        low = bank.type(move.from_type)
        high = bank.next_type(move.from_type)
        group = str(
            _l(
                "From %(low)s to %(high)s",
                low=low.name.get(language),
                high=high.name.get(language) if high is not None else "",
            )
        )
        choices.append(SelectChoice(move.id, move.title.get(language), optgroup=group))
    return choices


STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
}


class ActionItemForm(FlaskForm):
    move = SelectField(
        _l("Chosen step"), validators=[DataRequired(_l("Choose a step."))], validate_choice=False
    )
    marketing_owner = StringField(
        _l("Owner in marketing"),
        filters=[_strip],
        validators=[Length(max=NAME_MAX, message=_l("At most %(max)d characters.", max=NAME_MAX))],
    )
    sales_owner = StringField(
        _l("Owner in sales"),
        filters=[_strip],
        validators=[Length(max=NAME_MAX, message=_l("At most %(max)d characters.", max=NAME_MAX))],
    )
    due_on = DateField(
        _l("Due on"),
        validators=[Optional()],
        format="%Y-%m-%d",
        description=_l("Optional."),
    )
    success_measure = TextAreaField(
        _l("How you will know it worked"),
        filters=[_strip],
        description=_l("For example “Every lead is called back within two working days”."),
        validators=[
            Length(max=MEASURE_MAX, message=_l("At most %(max)d characters.", max=MEASURE_MAX))
        ],
        render_kw={"rows": 3},
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(status, STATUS_LABELS[status]) for status in STATUSES],
        default="planned",
    )

    def offer(self, choices: list[SelectChoice]) -> None:
        """Offer these moves, and accept only them."""
        self.move.choices = [SelectChoice("", _l("Choose a step")), *choices]
        self._move_ids = {choice.value for choice in choices}

    def validate_move(self, field: Field) -> None:
        if field.data not in getattr(self, "_move_ids", set()):
            raise ValidationError(_l("Choose one of the steps in the list."))

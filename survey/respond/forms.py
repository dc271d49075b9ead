"""The questionnaire form, built at run time from the bank: one radio group per item.

Each field is named by the item id, so the posted form is item id → ``1``–``5``
or ``na``. Form classes are cached per bank, side and language.
"""

from __future__ import annotations

import threading

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, StringField
from wtforms.validators import Length, Optional

from scoring import Bank, Side
from survey.services.drafts import ANSWER_VALUES
from survey.services.responses import DONT_KNOW

#: Words for each answer, in the order they are shown.
ANSWER_LABELS = {
    "1": _l("Strongly disagree"),
    "2": _l("Disagree"),
    "3": _l("Neither agree nor disagree"),
    "4": _l("Agree"),
    "5": _l("Strongly agree"),
    DONT_KNOW: _l("Don't know"),
}
#: Names the form uses for itself; an item id must not take one of them.
RESERVED_NAMES = frozenset({"csrf_token", "action", "meta"})
#: Languages × sides × banks is small; this only bounds a misbehaving deployment.
CACHE_LIMIT = 64


class AnswerForm(FlaskForm):
    """The answers to every item of a bank; subclassed by :func:`answer_form_class`."""

    def item_fields(self) -> list[RadioField]:
        return [field for field in self if isinstance(field, RadioField)]

    def given_answers(self) -> dict[str, str]:
        """Item id → a valid choice, for the items that have one."""
        return {
            field.name: field.data
            for field in self.item_fields()
            if isinstance(field.data, str) and field.data in ANSWER_VALUES
        }

    def missing_items(self) -> list[str]:
        """Ids of the items without a valid choice (after :meth:`validate`)."""
        return [field.name for field in self.item_fields() if field.errors]


def _item_field(text: str) -> Field:
    return RadioField(
        text,
        choices=[SelectChoice(value, ANSWER_LABELS[value]) for value in ANSWER_VALUES],
        validate_choice=True,
        invalid_choice_message=_l("Choose one answer, or “Don't know”."),
    )


def _build(bank: Bank, side: Side, locale: str) -> type[AnswerForm]:
    fields: dict[str, Field] = {}
    for item in bank.items:
        if item.id in RESERVED_NAMES:
            raise ValueError(f"item id {item.id!r} is reserved by the survey form")
        fields[item.id] = _item_field(item.text_for(side).get(locale))
    return type(f"AnswerForm_{side.value}", (AnswerForm,), fields)


_cache: dict[tuple[int, tuple[str, ...], str, str], type[AnswerForm]] = {}
_lock = threading.Lock()


def answer_form_class(bank: Bank, side: Side, locale: str) -> type[AnswerForm]:
    """The form for ``side`` in ``locale``, built once per bank version."""
    key = (bank.version, tuple(item.id for item in bank.items), side.value, locale)
    with _lock:
        form_class = _cache.get(key)
        if form_class is None:
            if len(_cache) >= CACHE_LIMIT:
                _cache.clear()
            form_class = _cache[key] = _build(bank, side, locale)
    return form_class


class StartForm(FlaskForm):
    """The "Start" button, and the invitation code where a wave asks for one."""

    code = StringField(
        _l("Your invitation code"),
        description=_l("The code on your invitation, for example ABCD-EFGH-JKMN."),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Length(max=40)],
    )

"""What the survey pages post, read into plain data; and the start page's form.

A page of statements posts one radio group per statement, named by the item id,
with ``1``–``5`` or ``na``; the funnel page one per stage, named ``funnel:<stage id>``,
with an owner's code ``1``–``4`` or ``na``. Every page also carries hidden copies of the answers
saved on the other pages (``saved-<item id>``) and of the open answer
(``saved-open-answer``): they are read only when the browser's draft is gone, so
that a lost cookie loses nothing. CSRF is checked for every POST by ``CSRFProtect``.
Names with a dash can never be item ids (those are snake_case).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import Length, Optional

from scoring import Bank, Owner
from survey.services.drafts import clean_answers
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
#: Who may lead a stage of the buyer's journey, by the code stored for it
#: (``scoring.Owner``), in the order they are shown; "Don't know" comes apart, last.
OWNER_LABELS = {
    str(Owner.MARKETING.value): _l("Marketing"),
    str(Owner.SALES.value): _l("Sales"),
    str(Owner.BOTH.value): _l("Both together"),
    str(Owner.NOBODY.value): _l("Nobody"),
}
#: The text box of the open question.
OPEN_ANSWER = "open-answer"
#: The prefix of the hidden copies of answers saved on other pages.
CARRY_PREFIX = "saved-"

#: The buttons of the survey pages (``action=…``).
NEXT, BACK, SAVE, SEND = "next", "back", "save", "submit"
ACTIONS = frozenset({NEXT, BACK, SAVE, SEND})


@dataclass(frozen=True)
class SurveyPost:
    """One POST of a survey page."""

    action: str
    #: Item id → choice, for the statements the page asked (and answered).
    given: dict[str, str]
    #: Hidden copies of what was saved before, for a draft that is gone.
    carried: dict[str, str]
    #: The open answer as typed, or ``None`` when the page had no text box.
    comment: str | None
    carried_comment: str | None

    def fresh_answers(self) -> dict[str, str]:
        """Everything the page knows, for a new draft: the carried copies, then the page."""
        return {**self.carried, **self.given}


def read_post(
    bank: Bank, form: MultiDict[str, str], asked: Collection[str] | None = None
) -> SurveyPost:
    """The answers of the statements ``asked`` (all when ``None``) and what the page carried."""
    given = clean_answers(bank, form)
    if asked is not None:
        given = {item_id: value for item_id, value in given.items() if item_id in asked}
    carried = clean_answers(
        bank,
        {
            key.removeprefix(CARRY_PREFIX): value
            for key, value in form.items(multi=False)
            if key.startswith(CARRY_PREFIX)
        },
    )
    action = form.get("action", NEXT)
    return SurveyPost(
        action=action if action in ACTIONS else NEXT,
        given=given,
        carried=carried,
        comment=form.get(OPEN_ANSWER),
        carried_comment=form.get(CARRY_PREFIX + OPEN_ANSWER),
    )


class StartForm(FlaskForm):
    """The "Start" button, and the invitation code where a wave asks for one."""

    code = StringField(
        _l("Your invitation code"),
        description=_l("The code on your invitation, for example ABCD-EFGH-JKMN."),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Length(max=40)],
    )

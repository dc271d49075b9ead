"""What the wave page shows besides its links and counts: short addresses and the action plan.

Kept apart from ``routes`` so the wave page's view stays one call per concern.
"""

from __future__ import annotations

from typing import Any

from survey.models import Assessment
from survey.services import action_plans, join_codes
from survey.services.assessments import absolute_url
from survey.workspace.edit_forms import STATUS_LABELS


def short_links(assessment: Assessment) -> dict[str, dict[str, str]] | None:
    """Per side: the join code as printed and its short address; ``None`` without codes."""
    codes = join_codes.codes_of(assessment)
    if codes is None:
        return None
    return {
        side.value: {"code": code.shown, "short": absolute_url(code.path)}
        for side, code in codes.items()
    }


def extras(assessment: Assessment) -> dict[str, Any]:
    """Template values: ``short_links`` (per side, or ``None`` before the wave has join
    codes), ``plan`` (the action plan's rows) and ``status_labels``."""
    return {
        "short_links": short_links(assessment),
        "plan": action_plans.plan_of(assessment),
        "status_labels": STATUS_LABELS,
    }

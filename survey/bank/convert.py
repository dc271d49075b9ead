"""A checked bank model into the frozen ``scoring.model.Bank``, and a bank back into plain data."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from scoring.model import (
    AdvisorRule,
    Bank,
    Condition,
    ContextFactor,
    Dimension,
    Funnel,
    FunnelStage,
    Item,
    LocalText,
    Move,
    OpenQuestion,
    RelationshipType,
    Side,
)
from survey.bank.schema import (
    AdvisorModel,
    BankModel,
    ConditionModel,
    FunnelModel,
    OpenQuestionModel,
)


def _text(values: Mapping[str, str]) -> LocalText:
    return LocalText.of(values)


def _condition(condition: ConditionModel) -> Condition:
    return Condition(
        factor=condition.factor, equals=condition.equals, reason=_text(condition.reason)
    )


def _open_question(model: OpenQuestionModel | None) -> OpenQuestion | None:
    if model is None:
        return None
    return OpenQuestion(marketing=_text(model.marketing), sales=_text(model.sales))


def _funnel(model: FunnelModel | None) -> Funnel | None:
    if model is None:
        return None
    return Funnel(
        question=MappingProxyType(
            {
                Side.MARKETING: _text(model.question.marketing),
                Side.SALES: _text(model.question.sales),
            }
        ),
        stages=tuple(
            FunnelStage(
                id=stage.id,
                name=_text(stage.name),
                description=_text(stage.description),
                conventional=Side(stage.conventional),
            )
            for stage in model.stages
        ),
        related_dimensions=tuple(model.related_dimensions),
    )


def to_bank(model: BankModel) -> Bank:
    advisor = model.advisor or AdvisorModel()
    return Bank(
        version=model.version,
        dimensions=tuple(
            Dimension(id=d.id, title=_text(d.title), description=_text(d.description))
            for d in model.dimensions
        ),
        items=tuple(
            Item(
                id=i.id,
                dimension=i.dimension,
                marketing=_text(i.text.marketing),
                sales=_text(i.text.sales),
                reverse=i.reverse,
                original=i.original,
            )
            for i in model.items
        ),
        types=tuple(
            RelationshipType(
                id=t.id,
                name=_text(t.name),
                description=_text(t.description),
                lower=float(t.lower),
                upper=float(t.upper),
            )
            for t in model.types
        ),
        moves=tuple(
            Move(
                id=m.id,
                from_type=m.from_,
                title=_text(m.title),
                action=_text(m.action),
                dimensions=tuple(m.dimensions),
            )
            for m in model.moves
        ),
        context_factors=tuple(
            ContextFactor(id=f.id, question=_text(f.question), choices=tuple(f.choices or ()))
            for f in advisor.factors
        ),
        advisor_rules=tuple(
            AdvisorRule(
                type_id=r.type,
                stay_if=tuple(_condition(c) for c in r.stay_if),
                move_if=tuple(_condition(c) for c in r.move_if),
            )
            for r in advisor.rules
        ),
        open_question=_open_question(model.open_question),
        funnel=_funnel(model.funnel),
    )


def _text_dict(text: LocalText) -> dict[str, str]:
    return dict(text.by_language)


def _condition_dict(condition: Condition) -> dict[str, object]:
    return {
        "factor": condition.factor,
        "equals": condition.equals,
        "reason": _text_dict(condition.reason),
    }


def _factor_dict(factor: ContextFactor) -> dict[str, object]:
    result: dict[str, object] = {"id": factor.id, "question": _text_dict(factor.question)}
    if factor.choices:  # a yes/no question has no choices, as in questions.yaml
        result["choices"] = list(factor.choices)
    return result


def bank_to_dict(bank: Bank) -> dict[str, object]:
    """The bank as plain JSON-ready data, in the shape of ``questions.yaml``."""
    data = _bank_dict(bank)
    if bank.funnel is not None:  # optional, as in questions.yaml
        data["funnel"] = {
            "question": {
                side.value: _text_dict(text) for side, text in bank.funnel.question.items()
            },
            "stages": [
                {
                    "id": stage.id,
                    "name": _text_dict(stage.name),
                    "description": _text_dict(stage.description),
                    "conventional": stage.conventional.value,
                }
                for stage in bank.funnel.stages
            ],
            "related_dimensions": list(bank.funnel.related_dimensions),
        }
    if bank.open_question is not None:  # optional, as in questions.yaml
        data["open_question"] = {
            "marketing": _text_dict(bank.open_question.marketing),
            "sales": _text_dict(bank.open_question.sales),
        }
    return data


def _bank_dict(bank: Bank) -> dict[str, object]:
    return {
        "version": bank.version,
        "dimensions": [
            {"id": d.id, "title": _text_dict(d.title), "description": _text_dict(d.description)}
            for d in bank.dimensions
        ],
        "items": [
            {
                "id": i.id,
                "dimension": i.dimension,
                "reverse": i.reverse,
                **({"original": True} if i.original else {}),
                "text": {"marketing": _text_dict(i.marketing), "sales": _text_dict(i.sales)},
            }
            for i in bank.items
        ],
        "types": [
            {
                "id": t.id,
                "name": _text_dict(t.name),
                "lower": t.lower,
                "upper": t.upper,
                "description": _text_dict(t.description),
            }
            for t in bank.types
        ],
        "moves": [
            {
                "id": m.id,
                "from": m.from_type,
                "title": _text_dict(m.title),
                "action": _text_dict(m.action),
                "dimensions": list(m.dimensions),
            }
            for m in bank.moves
        ],
        "advisor": {
            "factors": [_factor_dict(f) for f in bank.context_factors],
            "rules": [
                {
                    "type": r.type_id,
                    "stay_if": [_condition_dict(c) for c in r.stay_if],
                    "move_if": [_condition_dict(c) for c in r.move_if],
                }
                for r in bank.advisor_rules
            ],
        },
    }

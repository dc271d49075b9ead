"""The OpenAPI 3.1 document of the JSON API, generated from the models that make its JSON.

``GET /api/v1/openapi.json`` serves it. The schemas come from the pydantic models in
``survey.services.serialise`` — the same ones ``result_to_json`` builds and dumps — so
the document describes exactly what the endpoints send.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from survey.services.serialise import ApiError, AssessmentInfo, Result

OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/{model}"


def _json(model: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}},
    }


def _operation(summary: str, model: str, description: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "description": description,
        "security": [{"reportToken": []}],
        "parameters": [
            {
                "name": "assessment_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        ],
        "responses": {
            "200": _json(model, "The wave the report token opens."),
            "401": _json("ApiError", "No bearer token, or one that does not open this wave."),
            "404": _json("ApiError", "No wave with this id."),
        },
    }


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document (built once per process; it depends on code only)."""
    models: list[tuple[type[BaseModel], Literal["serialization"]]] = [
        (model, "serialization") for model in (Result, AssessmentInfo, ApiError)
    ]
    _keys, definitions = models_json_schema(models, ref_template=REF)
    # Every model, the three above and those they hold, under its class name.
    schemas: dict[str, Any] = dict(definitions["$defs"])
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Sales & Marketing Alignment",
            "version": "1",
            "description": (
                "Read-only results of survey waves. A wave's report token, sent as "
                "'Authorization: Bearer <token>', opens that wave and nothing else. Every "
                "figure comes from released groups of responses; whatever the anonymity "
                "threshold hides is null."
            ),
        },
        "paths": {
            "/api/v1/assessments/{assessment_id}": {
                "get": _operation(
                    "A wave's name, settings and response counts",
                    "AssessmentInfo",
                    "Counts are released responses per side, and those waiting for a group.",
                )
            },
            "/api/v1/assessments/{assessment_id}/result": {
                "get": _operation(
                    "A wave's published result",
                    "Result",
                    "Scores, intervals, types, gaps, advice and next steps.",
                )
            },
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"reportToken": {"type": "http", "scheme": "bearer"}},
        },
    }

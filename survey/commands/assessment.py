"""`flask --app app assessment …`"""

from __future__ import annotations

import click

group = click.Group("assessment", help="Manage assessments.")

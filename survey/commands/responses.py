"""`flask --app app responses …`"""

from __future__ import annotations

import click

group = click.Group("responses", help="Manage responsess.")

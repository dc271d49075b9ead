"""`flask --app app user …`"""

from __future__ import annotations

import click

group = click.Group("user", help="Manage users.")

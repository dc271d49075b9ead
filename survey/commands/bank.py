"""`flask --app app bank …`"""

from __future__ import annotations

import click

group = click.Group("bank", help="Manage banks.")

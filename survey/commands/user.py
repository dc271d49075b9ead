"""`flask --app app user …`: create, list, disable and enable accounts, set a password."""

from __future__ import annotations

import sys

import click

from survey.models import User
from survey.services.accounts import (
    AccountError,
    all_accounts,
    register_account,
    set_disabled_by_email,
    set_password_by_email,
)

group = click.Group(
    "user", help="Create, list, disable and enable consultant accounts; set a password."
)


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    """Prompt twice on a terminal; otherwise read one line, so scripts can pipe it in."""
    if _stdin_is_terminal():
        password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return sys.stdin.readline().rstrip("\r\n")


@group.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="The account may also manage other accounts.")
def create(email: str, admin: bool) -> None:
    """Create an account; the password comes from standard input or a prompt."""
    password = _read_password()
    try:
        user = register_account(email, password, admin=admin)
    except AccountError as error:
        raise click.ClickException(f"{error}; no account was created") from None
    click.echo(f"Created {'admin' if admin else 'consultant'} account {user.email}.")


@group.command("list")
def list_accounts() -> None:
    """Every account: email, role, status and the day it was created."""
    users = all_accounts()
    if not users:
        click.echo("There are no accounts yet (see `user create`).")
        return
    for user in users:
        role = "admin" if user.is_admin else "consultant"
        status = "disabled" if user.is_disabled else "active"
        click.echo(f"{user.email}\t{role}\t{status}\tcreated {user.created_on.isoformat()}")


def _set_status(email: str, *, disabled: bool) -> User:
    try:
        return set_disabled_by_email(email, disabled=disabled)
    except AccountError as error:
        raise click.ClickException(str(error)) from None


@group.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Stop an account from signing in and end its sessions; its data stays."""
    account = _set_status(email, disabled=True)
    click.echo(f"{account.email} is disabled.")


@group.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Let a disabled account sign in again."""
    account = _set_status(email, disabled=False)
    click.echo(f"{account.email} can sign in again.")


@group.command("password")
@click.argument("email")
def password(email: str) -> None:
    """Set a new password (from standard input or a prompt) and end every session."""
    new_password = _read_password()
    try:
        account = set_password_by_email(email, new_password)
    except AccountError as error:
        raise click.ClickException(f"{error}; the password was not changed") from None
    click.echo(f"New password set for {account.email}; every session of the account has ended.")

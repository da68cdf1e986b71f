"""``screening users``: station accounts and API tokens."""

from __future__ import annotations

import json
import sys

import click

from screening.cli.audit_hook import CliAudit, db_option
from screening.cli.options import json_option
from screening.db import Database, default_station_url
from screening.errors import BadArgumentsError
from screening.web import accounts
from screening.web.roles import Role
from screening.web.schema import ensure_schema


def _open(db_url: str | None) -> Database:
    db = Database(db_url or default_station_url())
    ensure_schema(db)
    return db


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise BadArgumentsError("--password-stdin: no password on standard input")
        return line.rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group("users")
def users() -> None:
    """Accounts of the web station and their API tokens."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="What it may do."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@db_option
def add(name: str, role: str, password_stdin: bool, db_url: str | None) -> None:
    """Create account NAME (password from a prompt, or --password-stdin)."""
    with _open(db_url) as db:
        account = accounts.add_account(db, name, role, _password(password_stdin))
    CliAudit(db_url).record("account_add", {"account": account.name, "role": role})
    click.echo(f"account {account.name} ({account.role}) created")


@users.command("list")
@db_option
@json_option
def list_command(db_url: str | None, as_json: bool) -> None:
    """List the accounts."""
    with _open(db_url) as db:
        rows = [
            {**a.to_dict(), "tokens": accounts.list_tokens(db, a.name)}
            for a in accounts.list_accounts(db)
        ]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row))
        return
    for row in rows:
        active = sum(1 for t in row["tokens"] if t["revoked"] is None)
        state = "disabled" if row["disabled"] else "enabled"
        click.echo(f"{row['name']:20} {row['role']:10} {state:8} tokens: {active}")


def _set_disabled(name: str, disabled: bool, db_url: str | None) -> None:
    with _open(db_url) as db:
        accounts.set_disabled(db, name, disabled)
    action = "account_disable" if disabled else "account_enable"
    CliAudit(db_url).record(action, {"account": name})
    click.echo(f"account {name} {'disabled' if disabled else 'enabled'}")


@users.command("disable")
@click.argument("name")
@db_option
def disable(name: str, db_url: str | None) -> None:
    """Disable account NAME (its sessions end at once; its tokens stop working)."""
    _set_disabled(name, True, db_url)


@users.command("enable")
@click.argument("name")
@db_option
def enable(name: str, db_url: str | None) -> None:
    """Enable account NAME again."""
    _set_disabled(name, False, db_url)


@users.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@db_option
def password(name: str, password_stdin: bool, db_url: str | None) -> None:
    """Set a new password for NAME."""
    with _open(db_url) as db:
        accounts.set_password(db, name, _password(password_stdin))
    CliAudit(db_url).record("account_password", {"account": name})
    click.echo(f"password of {name} changed")


@users.command("token")
@click.argument("name")
@db_option
def token(name: str, db_url: str | None) -> None:
    """Print a new API token for NAME (stored hashed: shown only now).

    Tools send it as 'Authorization: Bearer TOKEN' to /api/...
    """
    with _open(db_url) as db:
        value, token_id = accounts.issue_token(db, name)
    CliAudit(db_url).record("token_issue", {"account": name, "token_id": token_id})
    click.echo(value)


@users.command("revoke")
@click.argument("name")
@click.option("--id", "token_id", type=int, default=None, help="Only this token (default: all).")
@db_option
def revoke(name: str, token_id: int | None, db_url: str | None) -> None:
    """Revoke NAME's API tokens (all, or one with --id)."""
    with _open(db_url) as db:
        count = accounts.revoke_tokens(db, name, token_id)
    CliAudit(db_url).record("token_revoke", {"account": name, "tokens": count})
    click.echo(f"{count} token(s) of {name} revoked")

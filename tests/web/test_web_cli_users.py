"""``chartready users create|list|unlock``."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.store import Database, UserRepository


@pytest.mark.parametrize(
    ("args", "stdin", "code", "output"),
    [
        (["--role", "coder", "--password-stdin"], "a long password\n", 0, "(coder)"),
        (["--role", "coder", "--password-stdin"], "short\n", 1, "at least 10"),
        (["--role", "nurse", "--password-stdin"], "a long password\n", 2, "nurse"),
    ],
)
def test_users_create(store_url: str, args: list[str], stdin: str, code: int, output: str) -> None:
    url = store_url
    result = CliRunner().invoke(
        app, ["users", "create", "erin", *args, "--database-url", url], input=stdin
    )
    assert result.exit_code == code
    assert output in result.output
    if code == 0:
        database = Database(url)
        with database.session() as session:
            user = UserRepository(session).authenticate("erin", stdin.strip())
            assert user is not None and user.role == "coder"
            assert stdin.strip() not in user.password_hash
        database.dispose()
        listed = CliRunner().invoke(app, ["users", "list", "--database-url", url])
        assert "erin" in listed.output and "coder" in listed.output


def test_users_create_prompts_twice_and_refuses_duplicates(store_url: str) -> None:
    url = store_url
    command = ["users", "create", "finn", "--role", "admin", "--database-url", url]
    first = CliRunner().invoke(app, command, input="a long password\na long password\n")
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, command, input="a long password\na long password\n")
    assert again.exit_code == 1 and "already exists" in again.output


def test_users_unlock_lifts_a_sign_in_lock(store_url: str) -> None:
    from assistant.store.sign_in_guard import SignInGuard

    url = store_url
    database = Database(url)
    database.migrate()
    with database.session() as session:
        guard = SignInGuard(session)
        for _ in range(5):
            guard.record_failure("erin", "10.0.0.5")
        assert guard.locked_for("erin", "10.0.0.6")
    result = CliRunner().invoke(app, ["users", "unlock", "erin", "--database-url", url])
    assert result.exit_code == 0 and "5 failed sign-ins cleared" in result.output
    with database.session() as session:
        assert not SignInGuard(session).locked_for("erin", "10.0.0.6")
    database.dispose()

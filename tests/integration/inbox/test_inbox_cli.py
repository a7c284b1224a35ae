"""``chorus user`` and ``chorus token`` against a real SQLite file."""
from __future__ import annotations

from click.testing import CliRunner

from chorus.backbone.db import make_engine
from chorus.inbox.adapters import people, sessions
from chorus.inbox.cli import token, user


def test_user_create_makes_the_workspace_and_list_shows_roles(tmp_path, monkeypatch):
    monkeypatch.setenv("CHORUS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    created = runner.invoke(user, ["create", "--email", "Anna@Example.com", "--name", "Анна", "--workspace", "acme",
                                   "--role", "admin", "--password-stdin"], input="secret-pass-1\n")
    assert created.exit_code == 0, created.output
    again = runner.invoke(user, ["create", "--email", "anna@example.com", "--name", "Анна", "--workspace", "globex",
                                 "--role", "viewer"])
    assert again.exit_code == 0 and "added to workspace globex" in again.output
    listed = runner.invoke(user, ["list"])
    assert "anna@example.com" in listed.output and "acme:admin, globex:viewer" in listed.output
    engine = make_engine(f"sqlite:///{tmp_path / 'inbox.db'}")
    with engine.begin() as conn:
        assert people.authenticate(conn, "anna@example.com", "secret-pass-1") is not None
    engine.dispose()


def test_weak_passwords_and_bad_workspaces_are_refused_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("CHORUS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    weak = runner.invoke(user, ["create", "--email", "a@b.co", "--name", "A", "--workspace", "acme",
                                "--password-stdin"], input="short\n")
    assert weak.exit_code != 0 and "at least 8 characters" in weak.output
    bad = runner.invoke(user, ["create", "--email", "a@b.co", "--name", "A", "--workspace", "Bad Name!",
                               "--password-stdin"], input="long-enough-1\n")
    assert bad.exit_code != 0 and "not a workspace id" in bad.output


def test_token_is_printed_once_and_stored_hashed(tmp_path, monkeypatch):
    monkeypatch.setenv("CHORUS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    runner.invoke(user, ["create", "--email", "a@b.co", "--name", "A", "--workspace", "acme", "--password-stdin"],
                  input="long-enough-1\n")
    missing = runner.invoke(token, ["create", "--user", "nobody@b.co"])
    assert missing.exit_code != 0 and "no user" in missing.output
    made = runner.invoke(token, ["create", "--user", "a@b.co"])
    value = made.stdout.strip().splitlines()[0]
    assert value.startswith("chorus_")
    engine = make_engine(f"sqlite:///{tmp_path / 'inbox.db'}")
    with engine.begin() as conn:
        stored = [r.token_hash for r in conn.execute(sessions.api_tokens.select())]
        assert value not in stored and len(stored) == 1
        assert sessions.user_for_token(conn, value, people.now()).email == "a@b.co"
    engine.dispose()

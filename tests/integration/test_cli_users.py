"""`users` commands, and `--by` naming an existing, enabled user with the role, via the CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from storage.db import close_database

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "tender season 2026"


def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *argv: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys, monkeypatch) -> str:
    path = str(tmp_path / "users.duckdb")
    assert cli(capsys, monkeypatch, "--db", path, "demo")[0] == 0
    assert cli(capsys, monkeypatch, "--db", path, "run")[0] == 0
    for name, role in (("ann", "admin"), ("alice", "approver"), ("carol", "bid_manager")):
        code, _out, err = cli(
            capsys,
            monkeypatch,
            *("--db", path, "users", "add", name, "--role", role, "--password-stdin"),
            stdin=PASSWORD + "\n",
        )
        assert code == 0, err
    yield path
    close_database(Path(path))


def _one_line(code: int, out: str, err: str) -> str:
    assert code == 1, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in out + err
    return err.strip()


def test_users_add_list_and_disable(db: str, capsys, monkeypatch) -> None:
    code, out, _ = cli(
        capsys,
        monkeypatch,
        *("--db", db, "users", "add", "Vera", "--role", "viewer", "--password-stdin"),
        *("--display-name", "Vera Viewer"),
        stdin=PASSWORD + "\n",
    )
    assert code == 0 and out.strip() == "Added vera (Vera Viewer) as viewer."
    code, out, _ = cli(capsys, monkeypatch, "--db", db, "users", "list", "--json")
    listed = {u["username"]: u for u in json.loads(out)}
    assert set(listed) == {"ann", "alice", "carol", "vera"}
    assert listed["carol"]["role"] == "bid_manager" and listed["carol"]["enabled"] is True
    assert "password" not in json.dumps(listed).lower()

    code, out, _ = cli(capsys, monkeypatch, "--db", db, "users", "disable", "vera")
    assert code == 0 and "vera is disabled" in out
    code, out, _ = cli(capsys, monkeypatch, "--db", db, "users", "list", "--json")
    assert {u["username"]: u["enabled"] for u in json.loads(out)}["vera"] is False


def test_a_short_password_is_refused_with_one_line(db: str, capsys, monkeypatch) -> None:
    message = _one_line(
        *cli(
            capsys,
            monkeypatch,
            *("--db", db, "users", "add", "dave", "--role", "approver", "--password-stdin"),
            stdin="abc\n",
        )
    )
    assert message == "A password needs at least 12 characters; this one has 3."
    _code, out, _ = cli(capsys, monkeypatch, "--db", db, "users", "list", "--json")
    assert "dave" not in {u["username"] for u in json.loads(out)}


def _waiting(db: str, capsys, monkeypatch) -> int:
    _code, out, _ = cli(capsys, monkeypatch, "--db", db, "review", "list", "--json")
    return int(json.loads(out)[0]["tender_id"])


@pytest.mark.parametrize(
    ("who", "says"),
    [
        ("carol", "carol is a bid manager, and only admins and approvers can decide"),
        ("mallory", "There is no user “mallory”"),
        ("", "Say who is acting"),
    ],
)
def test_only_an_enabled_approver_can_decide(db: str, capsys, monkeypatch, who, says) -> None:
    tender_id = _waiting(db, capsys, monkeypatch)
    decide = ("--db", db, "review", "decide", str(tender_id), "--go", "--reason", "strategic")
    message = _one_line(*cli(capsys, monkeypatch, *decide, "--by", who))
    assert says in message
    _code, out, _ = cli(capsys, monkeypatch, "--db", db, "review", "history", str(tender_id))
    assert "No decisions" in out or out.strip() == ""


def test_an_approver_decides_and_a_disabled_one_no_longer_can(db: str, capsys, monkeypatch):
    tender_id = _waiting(db, capsys, monkeypatch)
    decide = ("--db", db, "review", "decide", str(tender_id), "--no-go", "--reason", "too far")
    code, out, err = cli(capsys, monkeypatch, *decide, "--by", "Alice")
    assert code == 0, err
    assert "by alice" in out

    assert cli(capsys, monkeypatch, "--db", db, "users", "disable", "alice")[0] == 0
    other = _waiting(db, capsys, monkeypatch)
    message = _one_line(
        *cli(
            capsys,
            monkeypatch,
            *("--db", db, "review", "decide", str(other), "--accept", "--by", "alice"),
        )
    )
    assert "There is no user “alice”" in message


def test_password_stdin_through_a_real_pipe(tmp_path: Path) -> None:
    db = str(tmp_path / "pipe.duckdb")
    command = [sys.executable, "-m", "core.cli", "--db", db, "users", "add", "ann", "--role"]
    done = subprocess.run(
        [*command, "admin", "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert PASSWORD.encode() not in Path(db).read_bytes()


def test_users_locks_and_unlock(tmp_path, capsys) -> None:
    import json

    import pytest

    from core.access.errors import SignInRefused
    from core.access.throttle import FREE_FAILURES
    from core.bootstrap import open_context
    from core.cli.main import main
    from storage.db import close_database

    db = tmp_path / "locks.duckdb"
    ctx = open_context(db_path=db)
    for _ in range(FREE_FAILURES):
        with pytest.raises(SignInRefused):
            ctx.accounts().sign_in("mallory", "guess", client="198.51.100.7")
    close_database(db)
    assert main(["--db", str(db), "users", "locks", "--json"]) == 0
    (lock,) = json.loads(capsys.readouterr().out)
    assert (lock["username"], lock["source"], lock["failures"]) == ("mallory", "198.51.100.7", 5)
    assert main(["--db", str(db), "users", "unlock", "mallory"]) == 0
    assert "mallory can sign in again at once." in capsys.readouterr().out
    assert main(["--db", str(db), "users", "locks"]) == 0
    assert "0 locked." in capsys.readouterr().out

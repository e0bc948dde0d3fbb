"""Start the real app on a free port and drive it with Playwright in Debian's chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from core.access.roles import CLI_ACTOR
from core.bootstrap import open_context
from core.models import Role
from core.profile.setup import SETUP_KEY, SetUp
from storage.db import close_database
from ui.app.auth_routes import COOKIE_NAME

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy in time")


# The accounts start_app adds (when the database has none), all with PASSWORD.
PASSWORD = "tender season 2026"
USERS = {
    "ann": (Role.ADMIN, "Ann Admin"),
    "alice": (Role.APPROVER, "Alice Martin"),
    "carol": (Role.BID_MANAGER, "Carol Diaz"),
    "vera": (Role.VIEWER, "Vera Viewer"),
}


class AppServer:
    def __init__(self, url: str, db_path: Path, cookies: dict[str, str]) -> None:
        self.url = url
        self.db_path = db_path
        self.cookies = cookies  # a signed-in session per user in USERS

    def sign_in(self, page: Page, user: str = "ann") -> None:
        """Put `user`'s session cookie in the browser, as signing in on the page would."""
        page.context.add_cookies(
            [{"name": COOKIE_NAME, "value": self.cookies[user], "url": self.url, "httpOnly": True}]
        )


def seed_accounts(db: Path) -> dict[str, str]:
    """USERS in the database (unless it has accounts) with the company set up, and a session
    cookie for each; the database is closed again so the app's process can open it."""
    ctx = open_context(db_path=db)
    try:
        accounts = ctx.accounts()
        if not accounts.has_accounts():
            for name, (role, display) in USERS.items():
                accounts.add(CLI_ACTOR, name, display, role, PASSWORD)
            # a team that has set its company up (the set-up has a test of its own)
            ctx.state.set(SETUP_KEY, SetUp.YOURS.value)
        return {name: accounts.sign_in(name, PASSWORD).cookie for name in USERS}
    finally:
        close_database(db)


def start_app(
    tmp_path: Path,
    db_path: Path | None = None,
    extra_env: dict[str, str] | None = None,
    *,
    seed: bool = True,
) -> tuple[AppServer, subprocess.Popen[bytes]]:
    """The app on a free port; with `seed`, USERS exist and have session cookies."""
    port = _free_port()
    db = db_path or tmp_path / "e2e.duckdb"
    cookies = seed_accounts(db) if seed else {}
    env = {
        **os.environ,
        "DUCKDB_PATH": str(db),
        "TENDERWISE_LOG_DIR": str(tmp_path / "logs"),
        "WORKER_POLL_S": "0.2",
    }
    env.pop("LLM_BASE_URL", None)
    env.update(extra_env or {})
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
    except Exception:
        process.kill()
        raise
    return AppServer(url, db, cookies), process


def stop_app(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[AppServer]:
    server, process = start_app(tmp_path)
    try:
        yield server
    finally:
        stop_app(process)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM} (make test installs it as root)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev.txt pins playwright
        pytest.skip("playwright is not installed; run make test")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()

"""Headless Chromium over W3C WebDriver, and a real ``chartready serve``, for browser tests.

Shared by the ``test_web_*browser*`` modules (the ``browser`` fixture lives in this folder's
conftest). Tests skip with :data:`needs_browser` when Chromium or chromedriver is missing
(``make test`` installs them).
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.store import Database, UserRepository

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None, reason="chromium/chromedriver not installed"
)
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver element key
PASSWORD = "browser-test-password"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up in {seconds} s")


class Browser:
    """The few W3C WebDriver commands the tests need."""

    def __init__(self, driver_url: str, profile: Path) -> None:
        self.http = httpx.Client(base_url=driver_url, timeout=60)
        args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1280,1600",
            f"--user-data-dir={profile}",
        ]
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }
        reply = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = reply["sessionId"]

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, path, json=body)
        value = response.json()["value"]
        assert response.status_code == 200, value
        return value

    def _s(self, path: str) -> str:
        return f"/session/{self.session}{path}"

    def go(self, url: str) -> None:
        self._call("POST", self._s("/url"), {"url": url})

    def url(self) -> str:
        return str(self._call("GET", self._s("/url")))

    def wait_leaves(self, url_prefix: str, seconds: float = 30) -> None:
        """Wait until the page is no longer under ``url_prefix`` (the next page is committed).

        Waiting for an element instead can match the old page: the sign-in page has an
        ``h1`` too, and reading it while the browser moves on fails.
        """
        deadline = time.monotonic() + seconds
        while self.url().startswith(url_prefix):
            assert time.monotonic() < deadline, f"still on {url_prefix}"
            time.sleep(0.1)

    def find(self, css: str) -> str:
        found = self._call("POST", self._s("/element"), {"using": "css selector", "value": css})
        assert isinstance(found, dict) and ELEMENT in found, found
        return str(found[ELEMENT])

    def count(self, css: str) -> int:
        found = self._call("POST", self._s("/elements"), {"using": "css selector", "value": css})
        return len(found)

    def type(self, css: str, text: str) -> None:
        self._call("POST", self._s(f"/element/{self.find(css)}/value"), {"text": text})

    def click(self, css: str) -> None:
        self._call("POST", self._s(f"/element/{self.find(css)}/click"), {})

    def text(self, css: str) -> str:
        return str(self._call("GET", self._s(f"/element/{self.find(css)}/text")))

    def text_or_empty(self, css: str) -> str:
        """The element's text, or "" while the page is reloading (the script reloads it)."""
        try:
            return self.text(css)
        except AssertionError:
            return ""

    def script(self, source: str, *args: Any) -> Any:
        return self._call("POST", self._s("/execute/sync"), {"script": source, "args": list(args)})

    def wait_for(self, css: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.count(css):
                return
            time.sleep(0.1)
        raise AssertionError(f"{css} did not appear")

    def wait_gone(self, css: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.count(css):
                return
            time.sleep(0.1)
        raise AssertionError(f"{css} did not go away")

    def wait_text_change(self, css: str, old: str, seconds: float = 30) -> str:
        """The element's text once it is no longer ``old`` (the next page has loaded)."""
        deadline = time.monotonic() + seconds
        while (text := self.text_or_empty(css)) in ("", old):
            assert time.monotonic() < deadline, f"{css} still reads {old!r}"
            time.sleep(0.1)
        return text

    def follow(self, link: str, css: str, old: str, seconds: float = 30) -> str:
        """Click ``link`` until ``css`` no longer reads ``old``; the new text.

        A click WebDriver reports as done can be lost while the page is still settling (one
        full-suite run in six left the item page in place for 30 s), so the link is clicked
        again every 5 s; following it twice opens the same page.
        """
        deadline = time.monotonic() + seconds
        while True:
            self.click(link)
            try:
                return self.wait_text_change(css, old, seconds=5)
            except AssertionError:
                if time.monotonic() >= deadline:
                    raise

    def into_frame(self, css: str) -> None:
        """Read inside the frame ``css`` until :meth:`out_of_frame`."""
        self._call("POST", self._s("/frame"), {"id": {ELEMENT: self.find(css)}})

    def out_of_frame(self) -> None:
        self._call("POST", self._s("/frame/parent"), {})

    def screenshot(self) -> bytes:
        return base64.b64decode(self._call("GET", self._s("/screenshot")))

    def quit(self) -> None:
        self.http.delete(self._s(""))
        self.http.close()


@contextmanager
def served_app(
    workdir: Path,
    users: dict[str, str],
    seed: Callable[[Database], None] | None = None,
) -> Iterator[str]:
    """A ``chartready serve`` on a fresh SQLite store with ``users`` (name -> role).

    No warm-up: the first check builds the reader, so start-up does not wait for it.
    """
    url = f"sqlite:///{workdir / 'db.sqlite3'}"
    database = Database(url)
    database.migrate()
    with database.session() as session:
        for name, role in users.items():
            UserRepository(session).create(name, role, PASSWORD)
    if seed is not None:
        seed(database)
    database.dispose()
    port = free_port()
    env = {**os.environ, "CHARTREADY_DATABASE_URL": url, "CHARTREADY_WARM_UP": "false"}
    cli = [sys.executable, "-c", "from assistant.cli import main; main()"]
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(15)


@contextmanager
def chromium(profile: Path) -> Iterator[Browser]:
    """A headless Chromium session through a chromedriver on a free port."""
    assert CHROMEDRIVER is not None
    port = free_port()
    driver = subprocess.Popen(
        [CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/status", 20)
        client = Browser(f"http://127.0.0.1:{port}", profile)
        try:
            yield client
        finally:
            client.quit()
    finally:
        driver.terminate()
        driver.wait(15)


def sign_in(browser: Browser, base: str, name: str, target: str) -> None:
    browser.go(f"{base}/login?next={target}")
    browser.type("#username", name)
    browser.type("#password", PASSWORD)
    browser.click("form[action='/login'] button[type=submit]")
    browser.wait_leaves(f"{base}/login")


def switch_user(browser: Browser, base: str, name: str, target: str) -> None:
    """Sign out whoever is signed in, then sign in as ``name`` and open ``target``."""
    browser.go(f"{base}/")
    if browser.count("form[action='/logout']"):
        browser.click("form[action='/logout'] button")
        browser.wait_gone("form[action='/logout']")  # signed out before signing in again
    sign_in(browser, base, name, target)


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def save_screenshot(browser: Browser, tmp_path: Path, name: str, min_bytes: int) -> Path:
    """Screenshot the page state just checked (CHARTREADY_SCREENSHOT_DIR, else tmp_path).

    ``min_bytes`` tells a rendered page from a blank one: a sparse page compresses smaller.
    """
    png = browser.screenshot()
    width, height = png_size(png)
    assert width >= 1000 and height >= 800
    path = Path(os.environ.get("CHARTREADY_SCREENSHOT_DIR", tmp_path)) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    assert path.stat().st_size > min_bytes
    return path

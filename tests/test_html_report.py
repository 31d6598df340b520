"""The HTML report in headless Chromium: it renders, the kind filter works, and neither a file
holding ``<script>`` nor a hostile file name can run code in it.

Chromium is driven over the DevTools protocol with a small standard-library WebSocket client, so
the test needs nothing but Debian's ``chromium`` package (``.ci/run`` installs it). It is skipped,
saying so, only where no Chromium binary can be found.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import neardup
from conftest import EXAMPLES, PAGE, REPOST
from neardup.report.html import render_html

HOSTILE_NAME = '"><img src=x onerror="window.__pwned=2">.txt'
MARKUP_PAYLOAD = "<script>window.__pwned=1</script>"  # markup: dropped from the text, kept as layout
VISIBLE_PAYLOAD = "<script>window.__pwned=3</script>"  # written as entities: visible text of the page


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: masked text frames out, frames in."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(4096)
        assert b" 101 " in response.split(b"\r\n", 1)[0], response

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("DevTools connection closed")
            data += chunk
        return data

    def send(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        n = len(payload)
        header = b"\x81" + (bytes([0x80 | n]) if n < 126 else
                            struct.pack("!BH", 0x80 | 126, n) if n < 65536 else struct.pack("!BQ", 0x80 | 127, n))
        self.sock.sendall(header + mask + bytes(b ^ mask[k % 4] for k, b in enumerate(payload)))

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            data = self._read(n)
            if first & 0x0F in (0x9, 0xA):  # ping/pong: nothing to deliver
                continue
            message += data
            if first & 0x80:
                return message.decode()

    def close(self) -> None:
        self.sock.close()


class _Browser:
    """Headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-dev-shm-usage",  # containers often give /dev/shm only 64 MB
             "--no-first-run", "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
             "--remote-debugging-port=0", "--window-size=1400,1000", "--hide-scrollbars", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as response:
            targets = json.load(response)
        page = next(t for t in targets if t.get("type") == "page")
        self.socket = _WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.receive())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.call("Page.enable")
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 60
        while self.evaluate("document.readyState") != "complete":
            assert time.monotonic() < deadline, "the report did not finish loading"
            time.sleep(0.1)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element (scrolled into view first)."""
        box = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                            " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        if hasattr(self, "socket"):
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[_Browser]:
    binary = _chromium()
    if binary is None:
        pytest.skip("no Chromium binary found (install Debian's `chromium`, as .ci/run does)")
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    driver = _Browser(binary, profile)
    try:
        yield driver
    finally:
        driver.close()


def _hostile_folder(tmp_path: Path) -> Path:
    """examples/karamay plus a third version of the story, named and filled to attack the report."""
    folder = tmp_path / "karamay"
    shutil.copytree(EXAMPLES, folder)
    repost = (EXAMPLES / REPOST).read_text(encoding="utf-8")
    paragraphs = re.findall(r"<p>(.*?)</p>", repost, re.S)
    middle = len(paragraphs[2]) // 2  # markup inside a sentence: a layout difference
    paragraphs[2] = paragraphs[2][:middle] + MARKUP_PAYLOAD + paragraphs[2][middle:]
    visible = VISIBLE_PAYLOAD.replace("<", "&lt;").replace(">", "&gt;") + "。"  # a paragraph of its own
    body = "\n\n".join(paragraphs[:6] + [visible] + paragraphs[6:])
    (folder / HOSTILE_NAME).write_text(body, encoding="utf-8")
    return folder


def _visible_count(browser: _Browser, selector: str) -> int:
    return int(browser.evaluate(
        f"[...document.querySelectorAll({json.dumps(selector)})].filter(e =>"
        " getComputedStyle(e).display !== 'none' && getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)'"
        ").length"))


def test_report_renders_filters_and_runs_no_injected_code(browser: _Browser, tmp_path: Path) -> None:
    report = neardup.scan([_hostile_folder(tmp_path)], neardup.Config(jobs=1))
    [cluster] = report.clusters
    assert HOSTILE_NAME in {m.path for m in cluster.members}
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    assert "http://" not in page.read_text(encoding="utf-8").split("<main>")[0], "the page loads nothing"

    browser.open(page.as_uri())
    # It renders: the cluster, both pairs, the file names as text.
    assert browser.evaluate("document.querySelectorAll('section.cluster article.pair').length") == 2
    text = browser.evaluate("document.body.innerText")
    assert "克拉玛依高新区" in text and HOSTILE_NAME in text
    # Nothing injected ran: no global set, no element but the page's own script and no <img>.
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.images.length") == 0
    assert VISIBLE_PAYLOAD in text, "visible text that looks like markup shows as text"

    # Substantive kinds are coloured by default, cosmetic ones are not.
    assert _visible_count(browser, ".d.k-ocr") >= 2
    assert _visible_count(browser, ".d.k-width") == 0
    browser.screenshot(tmp_path / "default.png")
    browser.click("#kind-width")
    assert browser.evaluate("document.querySelector('#kind-width').checked") is True
    assert _visible_count(browser, ".d.k-width") >= 100
    browser.click("#kind-ocr")
    assert _visible_count(browser, ".d.k-ocr") == 0
    # Switching layout on shows raw markup, still as text: the script in the page stays inert.
    assert MARKUP_PAYLOAD not in browser.evaluate("document.body.innerText")
    browser.click("#kind-layout")
    assert MARKUP_PAYLOAD in browser.evaluate("document.body.innerText")
    assert browser.evaluate("typeof window.__pwned") == "undefined"
    assert browser.evaluate("document.scripts.length") == 1
    browser.screenshot(tmp_path / "filtered.png")
    for shot in ("default.png", "filtered.png"):
        assert (tmp_path / shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (tmp_path / shot).stat().st_size > 20_000, "a blank page compresses to almost nothing"


def test_diff_page_renders(browser: _Browser, tmp_path: Path) -> None:
    from neardup.cli import main

    page = tmp_path / "diff.html"
    with pytest.raises(SystemExit) as done:
        main(["diff", f"{EXAMPLES / PAGE}:33-1953", str(EXAMPLES / REPOST), "--format", "html",
              "--output", str(page)])
    assert done.value.code == 0
    browser.open(page.as_uri())
    assert browser.evaluate("document.querySelectorAll('.d.k-ocr').length") == 2
    assert "edited" in browser.evaluate("document.body.innerText")

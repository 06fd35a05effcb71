"""The explorer page in a headless Chromium that stays open: a link in, what the page shows out.

One Chromium process (Debian's ``chromium``) opens a harness page served from
127.0.0.1. The harness holds the explorer in an iframe; it asks the server for
the next link's fragment, loads it as a link does (``loadFragment``) and posts
back every ``data-quantity`` (full-precision value and text), the controls,
the status line, the state the page settled on, every error the page threw
and every request it made. A fragment ``call:{"name": ..., "points": [...]}``
instead evaluates one of the page's global functions at each point
(:meth:`Browser.call`). A test therefore shows one link at a time, at a
few milliseconds a link instead of a browser launch, so Hypothesis can draw
links one by one and shrink a failing one.

The explorer page itself requests nothing (its Content-Security-Policy
forbids it); the harness around it is an ordinary page and talks to the
server. Skipped, visibly, where Chromium is missing.
"""

from __future__ import annotations

import http.server
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: generous: the first link waits for Chromium to start on a loaded machine
FIRST_TIMEOUT = 180
TIMEOUT = 60
#: the flags of a quiet, private, headless browser
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

HARNESS = """<!doctype html><html><body>
<iframe id="f" src="explorer.html" width="1200" height="900"></iframe>
<script>
const frame = document.getElementById("f");
function read(w, d) {
  const q = {};
  d.querySelectorAll("[data-quantity]").forEach((e) => {
    q[e.dataset.quantity] = [e.dataset.value === undefined ? null : e.dataset.value, e.textContent];
  });
  q.controls = {};
  for (const k of ["eta", "beta", "lam", "mu", "L", "nu", "dampening", "weight_decay"])
    q.controls[k] = d.getElementById(k + "-num").value;
  q.method_control = d.getElementById("method").value;
  const colour = d.querySelector("input[name=colour]:checked");
  q.colour_control = colour ? colour.value : null;
  q.class_control = d.getElementById("class-overlay").checked;
  const note = d.getElementById("map-class-note");
  q.class_note = note.hidden ? null : note.textContent;
  q.map_key = d.getElementById("map-key").textContent;
  q.status = d.getElementById("status").textContent;
  q.state = d.body.dataset.state === undefined ? null : d.body.dataset.state;
  q.resources = w.performance.getEntriesByType("resource").map((e) => e.name);
  return q;
}
async function serve() {
  const w = frame.contentWindow, d = w.document;
  const errors = [];
  w.addEventListener("error", (e) => errors.push(String(e.message)));
  for (;;) {
    const r = await fetch("/next", { cache: "no-store" });
    if (r.status !== 200) break;
    const fragment = await r.text();
    errors.length = 0;
    if (fragment.startsWith("call:")) {  // evaluate one of the page's functions at many points
      const { name, points } = JSON.parse(fragment.slice(5));
      let values = [];
      try { values = points.map((p) => w[name](...p)); } catch (e) { errors.push(String((e && e.stack) || e)); }
      await fetch("/result", { method: "POST", body: JSON.stringify({ values, errors: errors.slice() }) });
      continue;
    }
    const before = Number(d.body.dataset.renders || 0);
    try { w.loadFragment("#" + fragment); } catch (e) { errors.push(String((e && e.stack) || e)); }
    let q;
    try { q = read(w, d); } catch (e) { q = {}; errors.push("harness: " + String(e)); }
    q.rendered = Number(d.body.dataset.renders || 0) > before;
    q.errors = errors.slice();
    await fetch("/result", { method: "POST", body: JSON.stringify(q) });
  }
}
frame.addEventListener("load", () => { serve(); });
</script></body></html>"""


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, directory: Path):
        self.directory = directory
        self.links: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.requested: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: _Server

    def __init__(self, *a, **k):
        super().__init__(*a, directory=str(a[2].directory), **k)

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.server.requested.append(self.path)
        if self.path != "/next":
            return super().do_GET()
        fragment = self.server.links.get()
        if fragment is None:  # the test is over: the harness stops asking
            self.send_response(204)
            self.end_headers()
            return
        body = fragment.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        self.server.results.put(json.loads(self.rfile.read(n)))
        self.send_response(204)
        self.end_headers()


class Browser:
    """The explorer page (``html``) open in a headless Chromium; :meth:`show` loads a link."""

    def __init__(self, html: str):
        self._dir = Path(tempfile.mkdtemp(prefix="explorer-browser-"))
        (self._dir / "explorer.html").write_text(html, encoding="utf-8")
        (self._dir / "harness.html").write_text(HARNESS, encoding="utf-8")
        self._server = _Server(self._dir)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{self._server.server_address[1]}/harness.html"
        self._process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self._dir / 'profile'}", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: close() ends every child
        )
        self._first = True

    def show(self, fragment: str) -> dict:
        """What the page shows for the link ``#fragment`` (see the module's docstring)."""
        self._server.links.put(fragment)
        timeout = FIRST_TIMEOUT if self._first else TIMEOUT
        try:
            result = self._server.results.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"the page did not answer within {timeout} s: #{fragment}") from None
        self._first = False
        return result

    def call(self, name: str, points) -> list:
        """The page's global function ``name`` evaluated at each argument list in ``points``.

        Values go through JSON: NaN and infinities come back as None.
        """
        payload = json.dumps({"name": name, "points": [list(p) for p in points]})
        result = self.show("call:" + payload)
        if result["errors"]:
            raise RuntimeError(f"{name} threw in the page: {result['errors']}")
        return result["values"]

    @property
    def requested(self) -> list[str]:
        """Every path the harness and the page asked the server for."""
        return list(self._server.requested)

    def close(self) -> None:
        self._server.links.put(None)
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
            self._process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._server.shutdown()
        self._server.server_close()
        shutil.rmtree(self._dir, ignore_errors=True)


def chromium_dom(url: str, profile: Path) -> str:
    """The DOM after Chromium opened ``url`` in a fresh browser (a real navigation)."""
    done = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    return done.stdout

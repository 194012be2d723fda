"""Mixed load on the real site: reads in both languages, search, Ask, and signed-in authors and editors editing
and approving, for five minutes; no answer may be a 5xx and the server's memory must stay steady.

The site is started as a person would: ``kure migrate``, ``kure load_demo`` and ``kure serve --with-worker`` in a
temporary ``KURE_DATA_DIR`` (SQLite; ``--database-url`` for an empty PostgreSQL database). Its translation engine
is the fake OpenAI-compatible server of ``kure.translation.testing`` (word for word, in this process), so every
demo article has an English page and every approved edit gives the worker a real translation job; ``--no-engine``
leaves translation to the memory alone.

Clients are threads speaking HTTP/1.1 over loopback, each request choosing its kind at random:

- ``read tr`` / ``read en``: an article page in Turkish or English (anonymous, so the page cache serves most);
- ``search`` and ``ask``: a query from a fixed list, in either language;
- ``edit page``, ``save edit``, ``review page``, ``approve``: a demo author opens the editor of one of the
  articles that client owns, saves a changed paragraph and submits it, and a demo editor opens the review and
  approves it. Both signed in through the login form with its CSRF token (``sign in``), as a browser does. Each
  client has articles of its own, so edits never conflict.

Search and Ask are rate-limited per client address. The limits are left as shipped; instead, as with real readers,
requests come from many addresses: each client sends each request from the next address of its own range in
127.0.0.0/8. After the load, one address asks and searches until it gets 429, to show the limits still hold.

Every 5 s the resident memory (VmRSS) of the ``kure serve`` process and all its children (the granian workers,
the task worker) is read from /proc, from the moment the clients start (after they signed in and a few questions
made the server processes load the embedding model). Memory is called steady when the last minute's mean is less
than 10 % above the mean of the first minute's second half (the first half fills caches and the worker's first
jobs load its models). Runs shorter than two minutes report memory without judging it.

When the load stops, the worker is given up to three minutes to catch up with what the edits queued (translation,
embedding, notifications), and the tasks are counted by state.

Exit status 1 on any 5xx, any other unexpected answer, a rate limit that did not answer 429, a failed background
task, or unsteady memory.
``make soak`` runs it for 300 s; ``python -m bench.soak --seconds 60 --clients 4`` for a shorter run.
"""

from __future__ import annotations

import argparse
import html
import http.client
import itertools
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

KURE = [sys.executable, "-m", "kure.cli"]
SAMPLE_SECONDS = 5.0
STEADY_GROWTH = 0.10
AUTHORS = ("yazar", "edanur", "onur", "melis")
EDITORS = ("editor", "admin")
SEARCHES = {"tr": ["Göbeklitepe", "kahve", "NATO zirvesi", "harita", "boğaz", "Lahey", "göl", "matematik",
                   "Piri Reis", "Brüksel"],
            "en": ["coffee", "map", "lake", "NATO", "Bosphorus", "The Hague", "mathematics", "Brussels"]}
QUESTIONS = {"tr": ["Göbeklitepe kaç yıllık?", "Van Gölü nerededir?", "Türk kahvesi nasıl pişirilir?",
                    "Piri Reis haritası ne zaman çizildi?", "Cahit Arf kimdir?", "NATO ne zaman kuruldu?",
                    "İstanbul Boğazı hangi denizleri bağlar?", "Lahey hangi ülkededir?"],
             "en": ["Where is Lake Van?", "Who was Cahit Arf?", "When was NATO founded?",
                    "How is Turkish coffee made?"]}
# Relative weights of what a client does next; a write is four requests (editor, save, review, approve).
WEIGHTS = {"read tr": 28, "read en": 16, "search": 22, "ask": 16, "write": 10}
EXPECTED = {"read tr": {200}, "read en": {200}, "search": {200}, "ask": {200}, "sign in": {200, 302},
            "edit page": {200}, "save edit": {302}, "review page": {200}, "approve": {302}}
KINDS = tuple(EXPECTED)
SOAK_LINE = re.compile(r"\n\nYük testi düzenlemesi [^\n]*", re.UNICODE)


# --- the site ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """A migrated site with the demo content, served by ``kure serve --with-worker``; stopped on exit."""

    def __init__(self, data_dir: Path, *, database_url: str | None, engine_url: str | None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "serve.log"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env["KURE_DATA_DIR"] = str(data_dir)
        if database_url:
            env["DATABASE_URL"] = database_url
        if engine_url:
            env["KURE_TRANSLATION_ENGINES"] = json.dumps({"*": {
                "BACKEND": "kure.translation.engines.openai.OpenAIChatEngine",
                "OPTIONS": {"base_url": f"{engine_url}/v1", "model": "fake-model", "timeout": 30}}})
        self.env = env
        self.process: subprocess.Popen | None = None

    def prepare(self) -> None:
        for command in (["migrate", "--no-input", "-v0"], ["load_demo"]):
            result = subprocess.run([*KURE, *command], env=self.env, capture_output=True, text=True, timeout=900)
            if result.returncode:
                raise SystemExit(f"kure {command[0]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")

    def passwords(self) -> dict[str, str]:
        path = self.data_dir / "demo-accounts.txt"
        pairs = (line.split()[:2] for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#"))
        return dict(pairs)

    def start(self, timeout: float = 180) -> None:
        log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed with the process)
        # A session of its own, so that whatever is left of it can be stopped by its group id.
        self.process = subprocess.Popen([*KURE, "serve", "--port", str(self.port), "--with-worker"], env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"kure serve stopped at start:\n{self.log_tail()}")
            try:
                status, _, _ = request(self.url, "GET", "/tr/", source="127.0.0.1", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"kure serve did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def pids(self) -> list[int]:
        """The serve process and all its descendants."""
        if self.process is None:
            return []
        children = defaultdict(list)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                children[int(stat[stat.rindex(")") + 2:].split()[1])].append(int(entry))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def tasks(self) -> dict[str, int]:
        """How many background tasks are in each state, from the site's own database."""
        code = ("import json; from django.db.models import Count; from django_tasks_db.models import DBTaskResult; "
                "print('@@', json.dumps(dict(DBTaskResult.objects.values_list('status').annotate(n=Count('id')))))")
        result = subprocess.run([*KURE, "shell", "-c", code], env=self.env, capture_output=True, text=True,
                                timeout=120)
        found = [line[3:] for line in result.stdout.splitlines() if line.startswith("@@ ")]
        if result.returncode or not found:
            raise SystemExit(f"could not count the tasks:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        return json.loads(found[-1])

    def drain(self, timeout: float = 180) -> tuple[dict[str, int], float | None]:
        """Wait for the worker to finish what is queued; (the counts then, seconds it took or None)."""
        started = time.monotonic()
        while True:
            counts = self.tasks()
            if not counts.get("READY") and not counts.get("RUNNING"):
                return counts, time.monotonic() - started
            if time.monotonic() - started > timeout:
                return counts, None
            time.sleep(2)

    def log_errors(self) -> list[str]:
        """Each error the server or the worker logged, with its traceback."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []
        blocks, current = [], None
        for line in lines:
            if current is None:
                if "Internal Server Error" in line or line.startswith(("Traceback (most recent", "ERROR", "[ERROR]")):
                    current = [line]
                continue
            current.append(line)
            # The exception's own line, not indented, ends the traceback; chained ones carry on.
            if line and not line.startswith((" ", "Traceback", "During handling", "The above exception")):
                blocks.append("\n".join(current))
                current = None
        if current:
            blocks.append("\n".join(current))
        return blocks

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def rss_kib(pid: int) -> tuple[str, int] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return (cmdline, int(match.group(1))) if match else None


# --- HTTP ----------------------------------------------------------------------------------------------------

def request(base: str, method: str, path: str, *, source: str, body: dict | None = None,
            cookies: dict | None = None, timeout: float = 120) -> tuple[int, dict[str, str], str]:
    """One request on a new connection from ``source``; (status, headers, text)."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout, source_address=(source, 0))
    headers = {"User-Agent": "kure-soak", "Accept-Language": "tr,en"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = base + path
        headers["Origin"] = base
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        if cookies is not None:
            for value in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(value)
                for name, morsel in jar.items():
                    cookies[name] = morsel.value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        connection.close()


class FormReader(HTMLParser):
    """The values of a page's inputs and textareas, by name (as a browser would submit them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") and found.get("type") not in {"file", "submit", "checkbox"}:
            self.values.setdefault(found["name"] or "", found.get("value") or "")
        elif tag == "textarea" and found.get("name"):
            self._textarea, self._text = found["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.values[self._textarea] = text[1:] if text.startswith("\n") else text  # as browsers do
            self._textarea = None


def form_values(page: str) -> dict[str, str]:
    reader = FormReader()
    reader.feed(page)
    return reader.values


# --- recording -----------------------------------------------------------------------------------------------

@dataclass
class Failure:
    kind: str
    method: str
    path: str
    status: int
    body: str


@dataclass
class Recorder:
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, method: str, path: str, status: int, seconds: float, body: str) -> bool:
        ok = status in EXPECTED[kind]
        with self.lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append(seconds)
            if not ok:
                self.failures.append(Failure(kind, method, path, status, body[:3000]))
        return ok


# --- clients -------------------------------------------------------------------------------------------------

class Client(threading.Thread):
    """Signs in (if it writes), says it is ready, waits for ``go``, then sends requests until ``deadline``."""

    def __init__(self, number: int, site_url: str, go: threading.Event, recorder: Recorder, *, articles: list[str],
                 english: list[str], owned: list[str], author: tuple[str, str] | None,
                 editor: tuple[str, str] | None, pause: float, seed: int, rotate: bool = False) -> None:
        super().__init__(name=f"soak-client-{number}", daemon=True)
        self.number, self.url, self.go, self.recorder = number, site_url, go, recorder
        self.ready = threading.Event()
        self.deadline = 0.0  # set before ``go``
        self.articles, self.english, self.owned = articles, english, owned
        self.author, self.editor = author, editor
        self.pause, self.rotate = pause, rotate
        self.random = random.Random(seed)
        # 127.<20+n>.x.y: a range of addresses per client, each request from the next one.
        self.sources = itertools.cycle(f"127.{20 + number}.{x}.{y}" for x in range(0, 4) for y in range(1, 255))
        self.author_cookies: dict[str, str] = {}
        self.editor_cookies: dict[str, str] = {}
        self.edits = 0
        self.error: BaseException | str | None = None

    def call(self, kind: str, method: str, path: str, *, body: dict | None = None,
             cookies: dict | None = None) -> tuple[int, dict[str, str], str]:
        started = time.perf_counter()
        try:
            status, headers, text = request(self.url, method, path, source=next(self.sources), body=body,
                                            cookies=cookies)
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, garbled: no answer
            status, headers, text = 0, {}, f"{type(exc).__name__}: {exc}"
        self.recorder.record(kind, method, path, status, time.perf_counter() - started, text)
        return status, headers, text

    def sign_in(self, who: tuple[str, str], cookies: dict[str, str]) -> bool:
        status, _, page = self.call("sign in", "GET", "/accounts/login/", cookies=cookies)
        token = form_values(page).get("csrfmiddlewaretoken") if status == 200 else None
        if not token:
            return False
        status, headers, _ = self.call("sign in", "POST", "/accounts/login/", cookies=cookies, body={
            "csrfmiddlewaretoken": token, "username": who[0], "password": who[1], "next": "/tr/"})
        return status == 302 and "sessionid" in cookies

    def run(self) -> None:
        try:
            kinds, weights = zip(*WEIGHTS.items(), strict=True)
            # Rotating through the kinds (short runs, the test) makes sure each comes up; otherwise by weight.
            turns = itertools.cycle(kinds[self.number % len(kinds):] + kinds[:self.number % len(kinds)])
            writer = bool(self.owned and self.author and self.editor)
            try:
                for who, cookies in ((self.author, self.author_cookies), (self.editor, self.editor_cookies)):
                    if writer and not self.sign_in(who, cookies):  # type: ignore[arg-type]
                        self.error = f"could not sign in as {who[0]}; reading only"  # type: ignore[index]
                        writer = False
            finally:
                self.ready.set()
            self.go.wait()
            while time.monotonic() < self.deadline:
                kind = next(turns) if self.rotate else self.random.choices(kinds, weights)[0]
                if kind == "write" and not writer:
                    kind = "read tr"
                getattr(self, "do_" + kind.replace(" ", "_"))()
                if self.pause:
                    time.sleep(self.pause)
        except BaseException as exc:  # a bug in the client, not an answer of the server: reported as such
            self.error = exc

    def do_read_tr(self) -> None:
        self.call("read tr", "GET", f"/tr/articles/{self.random.choice(self.articles)}/")

    def do_read_en(self) -> None:
        self.call("read en", "GET", f"/en/articles/{self.random.choice(self.english)}/")

    def do_search(self) -> None:
        lang = self.random.choice(["tr", "tr", "en"])
        query = urllib.parse.urlencode({"q": self.random.choice(SEARCHES[lang])})
        self.call("search", "GET", f"/{lang}/search/?{query}")

    def do_ask(self) -> None:
        lang = self.random.choice(["tr", "tr", "en"])
        query = urllib.parse.urlencode({"q": self.random.choice(QUESTIONS[lang])})
        self.call("ask", "GET", f"/{lang}/ask/?{query}")

    def do_write(self) -> None:
        slug = self.random.choice(self.owned)
        status, _, page = self.call("edit page", "GET", f"/tr/articles/{slug}/edit/", cookies=self.author_cookies)
        if status != 200:
            return
        form = form_values(page)
        self.edits += 1
        body = SOAK_LINE.sub("", form.get("body", "")).rstrip()
        body += f"\n\nYük testi düzenlemesi {self.number}-{self.edits}: bu paragraf sınama için eklendi."
        status, headers, _ = self.call("save edit", "POST", f"/tr/articles/{slug}/edit/", cookies=self.author_cookies,
                                       body={"csrfmiddlewaretoken": form.get("csrfmiddlewaretoken", ""),
                                             "title": form.get("title", ""), "body": body,
                                             "edit_summary": f"yük testi {self.edits}",
                                             "base_revision": form.get("base_revision", ""), "action": "submit"})
        revision = urllib.parse.urlsplit(headers.get("location", "")).path if status == 302 else ""
        if not re.fullmatch(rf"/tr/articles/{re.escape(slug)}/revisions/\d+/", revision):
            return
        status, _, page = self.call("review page", "GET", revision + "review/", cookies=self.editor_cookies)
        if status != 200:
            return
        token = form_values(page).get("csrfmiddlewaretoken", "")
        self.call("approve", "POST", revision + "review/", cookies=self.editor_cookies,
                  body={"csrfmiddlewaretoken": token, "action": "approve", "comment": ""})


# --- memory ----------------------------------------------------------------------------------------------------

class MemorySampler(threading.Thread):
    def __init__(self, site: Site, every: float = SAMPLE_SECONDS) -> None:
        super().__init__(name="soak-memory", daemon=True)
        self.site, self.every = site, every
        self.samples: list[tuple[float, int, dict[int, tuple[str, int]]]] = []  # (seconds, total KiB, per pid)
        self.started = time.monotonic()
        self._stop_event = threading.Event()

    def sample(self) -> None:
        per_pid = {pid: found for pid in self.site.pids() if (found := rss_kib(pid))}
        self.samples.append((time.monotonic() - self.started, sum(kib for _, kib in per_pid.values()), per_pid))

    def run(self) -> None:
        self.sample()
        while not self._stop_event.wait(self.every):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)
        self.sample()


# --- the rate limits -------------------------------------------------------------------------------------------

def exceed(site_url: str, path: str, cap: int) -> tuple[int | None, str]:
    """Send ``path`` from one fresh address until it answers 429; (requests needed or None, the 429 page)."""
    source = "127.99.0.1"
    for sent in range(1, cap + 1):
        status, _, text = request(site_url, "GET", path, source=source)
        if status == 429:
            return sent, text
        if status != 200:
            return None, f"HTTP {status}: {text[:500]}"
    return None, f"no 429 after {cap} requests"


# --- the run ---------------------------------------------------------------------------------------------------

@dataclass
class Report:
    seconds: float
    clients: int
    recorder: Recorder
    samples: list
    limits: dict[str, tuple[int | None, str]]
    client_errors: list[str]
    log_tail: str
    log_errors: list[str] = field(default_factory=list)
    queued: dict[str, int] = field(default_factory=dict)  # background tasks by state when the load stopped
    tasks: dict[str, int] = field(default_factory=dict)  # and once the worker had caught up
    drained: float | None = None  # seconds it took the worker to catch up (None: not within the wait)
    writes: int = 0

    @property
    def server_errors(self) -> list[Failure]:
        return [f for f in self.recorder.failures if f.status >= 500]

    @property
    def unexpected(self) -> list[Failure]:
        return [f for f in self.recorder.failures if f.status < 500]

    def succeeded(self, kind: str) -> int:
        return sum(n for status, n in self.recorder.statuses[kind].items() if status in EXPECTED[kind])

    def memory(self) -> tuple[float | None, float | None, float | None]:
        """(first minute once warm, last minute, growth) in MiB, or None where the run is too short to say."""
        if not self.samples or self.samples[-1][0] < 120:
            return None, None, None
        end = self.samples[-1][0]
        first = [total for at, total, _ in self.samples if 30 <= at <= 60]
        last = [total for at, total, _ in self.samples if at >= end - 60]
        if not first or not last:
            return None, None, None
        a, b = statistics.mean(first) / 1024, statistics.mean(last) / 1024
        return a, b, b / a - 1

    @property
    def steady(self) -> bool | None:
        growth = self.memory()[2]
        return None if growth is None else growth < STEADY_GROWTH

    @property
    def limits_hold(self) -> bool:
        return all(sent is not None for sent, _ in self.limits.values())

    @property
    def passed(self) -> bool:
        return (not self.recorder.failures and not self.client_errors and self.limits_hold
                and self.steady is not False and not self.tasks.get("FAILED"))

    def text(self) -> str:
        lines = [f"Mixed load: {self.seconds:.0f} s, {self.clients} clients, {self.writes} edits approved",
                 "", f"{'kind':<12} {'requests':>8} {'ok':>7}  {'p50 ms':>7} {'p99 ms':>8}  statuses"]
        for kind in KINDS:
            times = sorted(self.recorder.latencies.get(kind, []))
            if not times:
                lines.append(f"{kind:<12} {0:>8}")
                continue
            p50, p99 = percentile(times, 50) * 1000, percentile(times, 99) * 1000
            statuses = ", ".join(f"{s}×{n}" for s, n in sorted(self.recorder.statuses[kind].items()))
            lines.append(f"{kind:<12} {len(times):>8} {self.succeeded(kind):>7}  {p50:>7.0f} {p99:>8.0f}  {statuses}")
        total = sum(len(v) for v in self.recorder.latencies.values())
        lines += ["", f"{total} requests, {total / self.seconds:.1f} per second; "
                      f"5xx: {len(self.server_errors)}; other unexpected answers: {len(self.unexpected)}"]
        for failure in (self.server_errors + self.unexpected)[:20]:
            lines += [f"  {failure.status} {failure.kind}: {failure.method} {failure.path}",
                      "    " + failure.body[:1500].replace("\n", "\n    ")]
        for error in self.client_errors:
            lines.append(f"  client error: {error}")
        for name, (sent, page) in self.limits.items():
            lines.append(f"rate limit, {name}: " + (f"429 after {sent} requests from one address" if sent
                                                    else f"NOT ENFORCED: {page[:300]}"))
        waiting = self.queued.get("READY", 0) + self.queued.get("RUNNING", 0)
        lines.append(f"background tasks: {sum(self.tasks.values())}, {self.tasks.get('SUCCESSFUL', 0)} successful, "
                     f"{self.tasks.get('FAILED', 0)} failed; {waiting} waiting when the load stopped, "
                     + (f"done {self.drained:.0f} s later" if self.drained is not None else "NOT done 180 s later"))
        lines.append(f"errors in the server's log: {len(self.log_errors)}")
        for block in self.log_errors[:10]:
            lines.append("  " + block[-4000:].replace("\n", "\n  "))
        lines += ["", f"memory of kure serve and its children (VmRSS, every {SAMPLE_SECONDS:.0f} s):"]
        by_minute = defaultdict(list)
        for at, total, _ in self.samples:
            by_minute[int(at // 60)].append(total / 1024)
        for minute, values in sorted(by_minute.items()):
            lines.append(f"  minute {minute + 1}: mean {statistics.mean(values):.0f} MiB, "
                         f"min {min(values):.0f}, max {max(values):.0f} ({len(values)} samples)")
        if self.samples:
            lines.append("  processes at the end:")
            for cmdline, kib in sorted(self.samples[-1][2].values(), key=lambda p: -p[1]):
                lines.append(f"    {kib / 1024:7.0f} MiB  {cmdline[:100]}")
        first, last, growth = self.memory()
        if growth is None:
            lines.append("  not judged: the run is shorter than two minutes")
        else:
            verdict = "steady" if growth < STEADY_GROWTH else f"NOT steady (limit +{STEADY_GROWTH:.0%})"
            lines.append(f"  first minute (30–60 s) {first:.0f} MiB, last minute {last:.0f} MiB: "
                         f"{growth:+.1%} → {verdict}")
        lines.append("")
        lines.append("PASSED" if self.passed else "FAILED")
        return "\n".join(lines)


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(*, seconds: float, clients: int, pause: float = 0.05, database_url: str | None = None,
        engine: bool = True, keep: Path | None = None, rotate: bool = False, say=print) -> Report:
    """Prepare and start the site, load it for ``seconds``, check the rate limits, stop it; what was seen."""
    from kure.translation.testing.fake_servers import FakeOpenAIServer

    with tempfile.TemporaryDirectory(prefix="kure-soak-") as scratch:
        data_dir = keep or Path(scratch)
        fake = FakeOpenAIServer().start() if engine else None
        site = Site(data_dir, database_url=database_url, engine_url=fake.url if fake else None)
        try:
            say(f"preparing the site in {data_dir} (kure migrate, kure load_demo)…")
            site.prepare()
            say(f"starting kure serve --with-worker on {site.url}…")
            site.start()
            articles = discover_articles(site.url)
            english = [slug for slug in articles
                       if request(site.url, "GET", f"/en/articles/{slug}/", source="127.0.0.1")[0] == 200]
            if not articles or not english:
                raise SystemExit(f"the demo has no articles to read (tr: {articles}, en: {english})")
            passwords = site.passwords()
            recorder = Recorder()
            go = threading.Event()
            team = []
            for number in range(clients):
                owned = articles[number::clients] if number < len(articles) else []
                author, editor = AUTHORS[number % len(AUTHORS)], EDITORS[number % len(EDITORS)]
                team.append(Client(number, site.url, go, recorder, articles=articles, english=english,
                                   owned=owned, author=(author, passwords[author]),
                                   editor=(editor, passwords[editor]), pause=pause, seed=number,
                                   rotate=rotate))
            say(f"{clients} clients signing in, and a first question to each server process…")
            for client in team:
                client.start()
            warm_up(site.url, clients)
            for client in team:
                client.ready.wait(timeout=600)
            say(f"{clients} clients for {seconds:.0f} s ({len(articles)} articles, {len(english)} in English)…")
            sampler = MemorySampler(site)
            sampler.start()
            started = time.monotonic()
            for client in team:
                client.deadline = started + seconds
            go.set()
            for client in team:
                client.join(timeout=seconds + 300)
            elapsed = time.monotonic() - started
            sampler.stop()
            queued = site.tasks()
            tasks, drained = site.drain()
            limits = {"ask": exceed(site.url, "/tr/ask/?q=" + urllib.parse.quote("Van Gölü nerededir?"), 400),
                      "search": exceed(site.url, "/tr/search/?q=kahve", 2000)}
            errors = [f"{c.name}: {c.error if isinstance(c.error, str) else repr(c.error)}" for c in team if c.error]
            errors += [f"{c.name} still running at the end" for c in team if c.is_alive()]
            report = Report(seconds=elapsed, clients=clients, recorder=recorder, samples=sampler.samples,
                            limits=limits, client_errors=errors, log_tail=site.log_tail(),
                            log_errors=site.log_errors(), queued=queued, tasks=tasks, drained=drained,
                            writes=recorder.statuses["approve"][302])
            return report
        finally:
            site.stop()
            if fake:
                fake.stop()


def warm_up(site_url: str, count: int) -> None:
    """A few questions and searches at once before the clock starts, so that the server processes have loaded the
    embedding model (what a server does in its first minute is not what it does all day)."""
    paths = [f"/tr/ask/?q={urllib.parse.quote(q)}" for q in QUESTIONS["tr"]][:count]
    paths += [f"/tr/search/?q={urllib.parse.quote(q)}" for q in SEARCHES["tr"]][:count]
    def get(path: str, source: str) -> None:
        try:
            request(site_url, "GET", path, source=source)
        except OSError:
            pass  # the load that follows records whatever is wrong

    threads = [threading.Thread(target=get, args=(path, f"127.98.0.{i + 1}"), daemon=True)
               for i, path in enumerate(paths)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)


def discover_articles(site_url: str) -> list[str]:
    """The published articles' slugs, from the sitemap as a crawler finds them."""
    status, _, text = request(site_url, "GET", "/sitemap.xml", source="127.0.0.1")
    if status != 200:
        raise SystemExit(f"/sitemap.xml answered {status}")
    return sorted(set(re.findall(r"/tr/articles/([a-z0-9\-]+)/</loc>", html.unescape(text))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300, help="how long the load lasts (default 300)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds a client waits between requests")
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database to use instead of a SQLite file (it is migrated)")
    parser.add_argument("--no-engine", action="store_true", help="no translation engine: the memory alone")
    parser.add_argument("--keep", type=Path, default=None, help="keep the site in this directory (must not exist)")
    args = parser.parse_args(argv)
    if not args.seconds > 0 or args.clients < 1 or args.pause < 0:
        parser.error("--seconds must be above 0, --clients at least 1, --pause not negative")
    if args.keep is not None:
        if args.keep.exists():
            parser.error(f"--keep {args.keep}: it exists already; give a new directory")
        args.keep.mkdir(parents=True)
    if not Path("/proc/self/status").exists():
        parser.error("this needs Linux's /proc to read the server's memory")
    report = run(seconds=args.seconds, clients=args.clients, pause=args.pause, database_url=args.database_url,
                 engine=not args.no_engine, keep=args.keep)
    print(report.text())
    if not report.passed:
        print("\nthe end of the server's log:\n" + report.log_tail)
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())

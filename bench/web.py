"""Reading speed as operators run Küre: `kure serve` on SQLite with 1,000 generated articles, measured with wrk,
beside nginx serving the same article's HTML as a static file in the same run.

Setups, each loaded by wrk from this machine over loopback:

- nginx-static: nginx serves one article page, saved as a file (the reference: nothing can be faster);
- kure serve, cached: granian (one worker per core) with the page cache, one article, warm;
- nginx front cache: ``deploy/nginx.conf`` itself (paths and ports replaced) in front of `kure serve`, nginx
  serving the page cache's files directly;
- random articles: the 1,000 articles in random order, the page cache emptied first (misses, then hits);
- uncached: `kure serve` with KURE_PAGE_CACHE=off, one client (the render time) and many (throughput);
- search and Ask: the pages ``/tr/search/?q=…`` and ``/tr/ask/?q=…`` with generated queries.

Every line shows requests per second, p50 and p99 latency, the ratio of its requests per second to
nginx-static's, and errors (non-2xx/3xx answers and socket errors). Then the import rate (`kure import markdown
--publish`, as an operator moves articles in), the memory of each worker process, and the machine. Results are
written to ``var/bench/web-results.json``; docs/benchmarks.md records a run.

The site is kept in ``var/bench/web-<articles>`` and reused. Needs wrk and nginx (Debian packages ``wrk`` and
``nginx-light``; `make bench` installs them when it can). KURE_BENCH_WEB_SECONDS sets each run's length.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = int(os.environ.get("KURE_BENCH_WEB_ARTICLES", "1000"))
SECONDS = int(os.environ.get("KURE_BENCH_WEB_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("KURE_BENCH_WEB_CONNECTIONS", "32"))
DATA = ROOT / "var" / "bench" / f"web-{ARTICLES}"
KURE = [sys.executable, "-m", "kure.cli"]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def site_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(KURE_DATA_DIR=str(DATA), KURE_EMBED_TITLES="0", KURE_LOG_LEVEL="WARNING",
               # The benchmark is one client address asking thousands of times: the per-address limits would
               # answer 429 within a second, which measures the limiter, not the site.
               KURE_ASK_RATE="100000000", KURE_SEARCH_RATE="100000000", KURE_SUGGEST_RATE="100000000")
    env.update(extra)
    return env


def kure(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*KURE, *args], env=site_env(**env), check=True, capture_output=True, text=True)


def build() -> dict:
    """The site with ARTICLES generated articles of about 1,500 words in 8 sections; returns the import figures."""
    from bench.corpus import article

    marker = DATA / "built.json"
    if marker.exists():
        figures = json.loads(marker.read_text())
        print(f"reusing the site in {DATA} ({figures['articles']} imported articles)")
        return figures
    shutil.rmtree(DATA, ignore_errors=True)
    source = DATA / "import"
    source.mkdir(parents=True)
    words = 0
    for n in range(ARTICLES):
        title, body = article(n, words=1500, sections=8, seed=11)
        words += len(body.split())
        (source / f"{n:05d}.md").write_text(f"---\ntitle: {title}\nauthor: melis\ncategory: Deneme / Bölüm {n % 10}\n"
                                            f"tags: [Deneme, Etiket {n % 25}]\n---\n{body}", encoding="utf-8")
    kure("migrate", "--no-input", "-v0")
    kure("load_demo")
    print(f"importing {ARTICLES} articles (about {words // ARTICLES} words each) with `kure import markdown "
          f"--publish` …", flush=True)
    started = time.perf_counter()
    # Embedding runs after the import in one batch (below), as `kure reindex` would; the import itself publishes
    # and indexes the words of every article.
    kure("import", "markdown", str(source), "--publish", "--editor", "editor",
         KURE_TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend")
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import django; django.setup(); from kure.search import indexing; "
                                          "print(indexing.embed_missing())"],
                   env=site_env(DJANGO_SETTINGS_MODULE="kure.settings"), check=True, capture_output=True)
    figures = {"articles": ARTICLES, "words_per_article": words // ARTICLES, "import_seconds": round(seconds, 1),
               "import_rate": round(ARTICLES / seconds, 1),
               "embedding_seconds": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(figures))
    return figures


class Server:
    """`kure serve` as a subprocess; stopped with SIGINT, like Ctrl-C."""

    def __init__(self, **env: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen([*KURE, "serve", "--port", str(self.port)], env=site_env(**env),
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        self.url = f"http://{HOST}:{self.port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/tr/", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit(f"kure serve stopped: {self.process.stdout.read()}") from None
                time.sleep(0.3)
        raise SystemExit("kure serve did not answer within 90 s")

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each granian worker process (the server's children)."""
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        sizes = []
        for pid in children.split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if match := re.search(r"VmRSS:\s+(\d+) kB", status):
                sizes.append(int(match.group(1)) / 1024)
        return sizes

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def render_nginx_conf(*, data_dir: Path, app_port: int, front_port: int) -> str:
    """``deploy/nginx.conf`` with this run's folder and ports in place of /var/lib/kure, 8000 and 80."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in (("/var/lib/kure", str(data_dir)), ("127.0.0.1:8000", f"{HOST}:{app_port}"),
                     ("listen 80;", f"listen {HOST}:{front_port};")):
        if old not in conf:
            raise SystemExit(f"deploy/nginx.conf no longer contains {old!r}; update bench/web.py")
        conf = conf.replace(old, new)
    return conf


def start_nginx(prefix: Path, servers: str, *, ports: list[int]) -> subprocess.Popen:
    """nginx with its pid, log and temporary files under ``prefix``, serving ``servers`` (http-level maps and
    server blocks); returns once it listens on every port in ``ports``, raises RuntimeError if it stopped."""
    temp = prefix / "tmp"
    temp.mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers that can read a root-owned data folder
    (prefix / "nginx.conf").write_text(f"""{user}worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
    uwsgi_temp_path {temp}; scgi_temp_path {temp};
{servers}
}}
""")
    process = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    for port in ports:
        while True:
            try:
                socket.create_connection((HOST, port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(f"nginx did not start: {process.stderr.read()}") from None
                time.sleep(0.05)
    return process


class Nginx:
    def __init__(self, *, app_port: int, static_file: Path) -> None:
        self.prefix = DATA / "nginx"
        shutil.rmtree(self.prefix, ignore_errors=True)
        self.prefix.mkdir(parents=True)
        self.static_port, self.front_port = free_port(), free_port()
        shutil.copy(static_file, self.prefix / "article.html")
        # The same compressed copy Küre sends, so both sides answer "Accept-Encoding: gzip" alike.
        (self.prefix / "article.html.gz").write_bytes(gzip.compress(static_file.read_bytes(), 6, mtime=0))
        servers = f"""    server {{
        listen {HOST}:{self.static_port};
        root {self.prefix};
        gzip_static on;
        charset utf-8;
    }}
{render_nginx_conf(data_dir=DATA, app_port=app_port, front_port=self.front_port)}"""
        try:
            self.process = start_nginx(self.prefix, servers, ports=[self.static_port, self.front_port])
        except RuntimeError as error:
            raise SystemExit(str(error)) from None

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)
        self.process.wait(timeout=20)


def wrk(url: str, *, connections: int = CONNECTIONS, threads: int = 2, paths: list[str] | None = None,
        warm_seconds: int = 0) -> dict:
    """One wrk run; ``paths`` are requested in random order (a Lua script). ``warm_seconds`` first runs an
    unmeasured load, so every worker process has loaded what it keeps in memory (the embedding model, vectors).
    A request is an error only after 30 s: slowness shows in the latencies."""
    if warm_seconds:
        subprocess.run(["wrk", "-t1", f"-c{min(connections, 4)}", f"-d{warm_seconds}s", "--timeout", "60s",
                        *(["-s", str(_script(paths))] if paths else []), url], capture_output=True, check=True)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{SECONDS}s", "--latency", "--timeout", "30s",
               "-H", "Accept-Encoding: gzip"]
    if paths:
        command += ["-s", str(_script(paths))]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:  # no request finished
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": latency("50"), "p99_ms": latency("99"),
            "requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0)}


def _script(paths: list[str]) -> Path:
    """A wrk Lua script asking for ``paths`` in random order."""
    script = DATA / f"paths-{len(paths)}-{abs(hash(tuple(paths)))}.lua"
    quoted = ",\n".join(json.dumps(p) for p in paths)
    script.write_text(f"local paths = {{\n{quoted}\n}}\nmath.randomseed(7)\n"
                      "request = function()\n  return wrk.format(nil, paths[math.random(#paths)])\nend\n")
    return script


def fetch(url: str) -> tuple[bytes, Message]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), response.headers  # looked up case-insensitively


def queries() -> tuple[list[str], list[str]]:
    from urllib.parse import quote

    from bench.search import queries as make

    searches, questions = make(200, seed=3)
    return [f"/tr/search/?q={quote(q)}" for q in searches], [f"/tr/ask/?q={quote(q)}" for q in questions]


def machine() -> dict:
    model = ""
    try:
        model = re.search(r"model name\s+:\s+(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        pass
    return {"cpu": model, "cores": len(os.sched_getaffinity(0)), "python": platform.python_version(),
            "load_average_at_start": os.getloadavg()[0]}


def main() -> int:
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            print(f"{tool} is not installed: `apt-get install wrk nginx-light` (Debian), then run again.",
                  file=sys.stderr)
            return 2
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kure.settings")
    figures = build()
    about = machine()
    slugs = [f"deneme-maddesi-{n}" for n in range(ARTICLES)]
    one = f"/tr/articles/{slugs[ARTICLES // 2]}/"
    searches, questions = queries()
    results: dict[str, dict] = {}

    server = Server()
    nginx = None
    try:
        kure("pagecache", "clear")
        fetch(server.url + one)  # rendered and kept
        body, headers = fetch(server.url + one)
        assert headers.get("X-Kure-Cache") == "hit", headers
        static_copy = DATA / "article.html"
        static_copy.write_bytes(body)
        nginx = Nginx(app_port=server.port, static_file=static_copy)
        front = f"http://{HOST}:{nginx.front_port}"
        fetch(front + one)  # through nginx to Küre, kept under nginx's host name
        assert fetch(front + one)[1].get("X-Kure-Cache") == "nginx", "nginx did not serve the kept page"

        print(f"\n{SECONDS} s per run, {CONNECTIONS} connections, wrk with 2 threads, on {about['cores']} cores "
              f"({about['cpu']}); load average {about['load_average_at_start']:.1f} at the start\n", flush=True)
        results["nginx-static"] = wrk(f"http://{HOST}:{nginx.static_port}/article.html")
        results["kure serve, cached article"] = wrk(server.url + one)
        results["nginx front cache, cached article"] = wrk(front + one)
        results["nginx-static (again)"] = wrk(f"http://{HOST}:{nginx.static_port}/article.html")
        kure("pagecache", "clear")
        results["kure serve, random articles (cold cache)"] = wrk(server.url, paths=[f"/tr/articles/{s}/"
                                                                                     for s in slugs])
        results["search page"] = wrk(server.url, paths=searches, connections=4, warm_seconds=3)
        results["Ask page"] = wrk(server.url, paths=questions, connections=4, warm_seconds=5)
        rss = server.worker_rss_mib()
    finally:
        server.stop()

    uncached = Server(KURE_PAGE_CACHE="off")
    try:
        results["uncached article, 1 client"] = wrk(uncached.url + one, connections=1, threads=1)
        results["uncached article"] = wrk(uncached.url + one)
        rss_uncached = uncached.worker_rss_mib()
    finally:
        uncached.stop()
        if nginx:
            nginx.stop()

    reference = (results["nginx-static"]["rps"] + results["nginx-static (again)"]["rps"]) / 2
    print(f"{'setup':<44}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'÷ nginx-static':>16}{'errors':>8}")
    for name, r in results.items():
        r["ratio"] = r["rps"] / reference
        print(f"{name:<44}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{r['ratio']:>15.1%}"
              f"{r['errors']:>8}")
    errors = sum(r["errors"] for r in results.values())
    checks = [
        ("kure serve, cached ≥ 10% of nginx-static", results["kure serve, cached article"]["ratio"] >= 0.10),
        ("nginx front cache ≥ 50% of nginx-static", results["nginx front cache, cached article"]["ratio"] >= 0.50),
        ("uncached render p50 ≤ 10 ms", results["uncached article, 1 client"]["p50_ms"] <= 10),
        ("zero errors", errors == 0),
    ]
    print(f"\nimport: {figures['articles']} articles of about {figures['words_per_article']} words in "
          f"{figures['import_seconds']} s ({figures['import_rate']} articles/s, published and indexed), "
          f"then embedded in {figures['embedding_seconds']} s")
    print(f"memory per worker process: {', '.join(f'{m:.0f}' for m in rss)} MiB after the cached runs "
          f"(search and Ask load the embedding model); {', '.join(f'{m:.0f}' for m in rss_uncached)} MiB "
          "with the cache off after article views only")
    for label, ok in checks:
        print(f"  {'met ' if ok else 'MISSED'}  {label}")
    out = ROOT / "var" / "bench" / "web-results.json"
    out.write_text(json.dumps({"machine": about, "import": figures, "results": results, "worker_rss_mib": rss,
                               "worker_rss_mib_uncached": rss_uncached, "seconds": SECONDS,
                               "connections": CONNECTIONS, "when": time.strftime("%Y-%m-%d %H:%M")}, indent=1))
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""What the user waits for, in a real browser: the app served by `streamlit run`
on a free port, driven by Playwright in the system Chromium, against the data set in
PRD_DATA_DIR (or DATABASE_URL).

    PRD_DATA_DIR=/tmp/prd-demo .venv/bin/python -m benchmarks.browser --size demo
    PRD_DATA_DIR=/tmp/prd-ref  .venv/bin/python -m benchmarks.browser --size reference

Migrates the database, generates the data set of `--size` when it is empty (seed 1), makes sure
the demo accounts exist (the benchmark signs in as `manager`), starts the app and an empty
Streamlit page (one `st.title`: the floor every Streamlit page pays) side by side, signs in once,
warms both servers up, then times in rounds, each action once per round, in this order:

- empty page: navigation to the empty page until its title is drawn and no script runs;
- dashboard, full load: navigation to /dashboard until no script runs and every chart is drawn;
- period change: choosing another period in the dashboard's period box (alternating) until the
  rerun has finished and the charts are drawn again;
- worklist: navigation to /concerns until the table is drawn;
- open a concern: clicking the first row of the worklist until the concern's detail is shown;
- patient search: Enter in the Patients page's search box until the patient's record is shown;
- Save -> confirmation: Save on a filled "Log interaction" form (a routine call, resolved at
  first contact) until the confirmation is shown. Each round saves one interaction.

Times are taken inside the page (performance.now()): a navigation from the navigation's start,
an action from the browser's input event (mousedown, or keydown of Enter). "Ready" is the last
moment the script finished running, or the last change inside a chart, whichever is later, once
the page has been quiet for `--quiet` ms: a second script run (the sign-in cookie component
reporting back, or an action followed by `st.rerun`) is inside the measure. The script runs each
action took are counted, and the time of the first run's end is reported beside the ready time,
so what a second run costs can be read off directly.

The machine is shared: the load average is printed before and after; read the ratios to the
empty page, not the absolute times. Never point it at a database you care about: it saves one
interaction per round.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from benchmarks.common import median_and_p95
from db.cli import _grant_app_role as grant_app_role
from db.demo import DEMO_PASSWORD, ensure_demo_accounts
from db.engine import app_database_url, database_url, make_engine
from db.migrate import upgrade_to_head
from db.models import Concern, Interaction, Patient

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
EMPTY_PAGE = 'import streamlit as st\n\nst.title("Empty page")\n'
USERNAME = "manager"
LOGS = Path(tempfile.gettempdir())  # the servers' output, kept for when something fails

# Records, inside the page, every change of the script state and every DOM change inside a
# chart, with performance.now() (0 = the navigation's start), and the last input event.
OBSERVER = """
(() => {
  const b = window.__bench = {events: [], lastChart: 0, input: 0, mark: 0};
  const APP = '[data-testid="stApp"]';
  const CHART = '[data-testid="stVegaLiteChart"]';
  let last = null;
  const state = () => {
    const app = document.querySelector(APP);
    return app ? app.getAttribute('data-test-script-state') : null;
  };
  const inChart = (node) => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    return !!(el && el.closest && el.closest(CHART));
  };
  new MutationObserver((records) => {
    const s = state();
    const now = performance.now();
    if (s !== last) { b.events.push([now, s]); last = s; }
    for (const r of records) { if (inChart(r.target)) { b.lastChart = now; break; } }
  }).observe(document, {subtree: true, childList: true, attributes: true});
  for (const kind of ['pointerdown', 'mousedown']) {
    document.addEventListener(kind, () => { b.input = b.input || performance.now(); }, true);
  }
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') b.input = b.input || performance.now();
  }, true);
  b.snapshot = (since) => {
    const after = b.events.filter((e) => e[0] >= since);
    const runs = after.filter((e) => e[1] === 'running').length;
    const idle = after.filter((e) => e[1] === 'notRunning').map((e) => e[0]);
    const charts = [...document.querySelectorAll(CHART)];
    const drawn = charts.filter((c) => c.querySelector('canvas, svg')).length;
    return {
      state: state(), now: performance.now(), runs: runs,
      firstIdle: idle.length ? idle[0] : null, lastIdle: idle.length ? idle[idle.length - 1] : null,
      lastEvent: b.events.length ? b.events[b.events.length - 1][0] : 0,
      lastChart: b.lastChart, charts: charts.length, drawn: drawn, input: b.input,
    };
  };
})();
"""


@dataclass
class Sample:
    ready_ms: float
    first_run_end_ms: float
    runs: int


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    def ready(self) -> list[float]:
        return [s.ready_ms for s in self.samples]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --- the data and the servers ---------------------------------------------------------------


def prepare(size: str) -> dict[str, object]:
    """Migrate, generate when empty, demo accounts; returns what the actions need."""
    url, app_url = database_url(), app_database_url()
    engine = make_engine(url)
    upgrade_to_head(engine)
    grant_app_role(engine)  # as `db.cli prepare` does: the app connects as its own role
    # The servers connect by URL rather than each starting the embedded server again (two
    # processes starting it at once can trip over its lock).
    os.environ["DATABASE_URL"] = app_url
    with Session(engine) as session:
        has_data = session.scalar(select(func.count()).select_from(Interaction)) > 0
    if not has_data:
        from synthetic import generate

        print(f"Generating the {size} data set (seed 1)...", flush=True)
        generate(engine, size=size, seed=1, progress=lambda m: print(" ", m, flush=True))
    with Session(engine) as session, session.begin():
        ensure_demo_accounts(session=session)
    with Session(engine) as session:
        counts = {
            "interactions": session.scalar(select(func.count()).select_from(Interaction)),
            "concerns": session.scalar(select(func.count()).select_from(Concern)),
            "patients": session.scalar(select(func.count()).select_from(Patient)),
        }
        # A family name shared by few patients: the search shows a short list, the first picked.
        family = session.execute(
            text(
                "SELECT family_name FROM patient GROUP BY family_name "
                "ORDER BY count(*), family_name LIMIT 1"
            )
        ).scalar_one()
        mrn = session.scalar(select(Patient.mrn).order_by(Patient.id).limit(1))
    engine.dispose()
    return {**counts, "family": family, "mrn": mrn}


@contextmanager
def serve(script: Path, port: int, log: Path) -> Iterator[str]:
    """`streamlit run script` on `port` until the block ends; yields the base URL."""
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise SystemExit(f"streamlit did not start:\n{log.read_text()}")
            time.sleep(0.3)
        try:
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


# --- waiting the way a user does ------------------------------------------------------------


def settle(
    page,
    *,
    since: float,
    quiet_ms: float,
    ready: Callable[[dict], bool],
    charts: bool = False,
    timeout_s: float = 60.0,
) -> Sample:
    """Wait until no script runs, `ready(snapshot)` holds (and with `charts`, every chart is
    drawn), and nothing has changed for `quiet_ms`; returns times relative to `since`."""
    deadline = time.monotonic() + timeout_s
    while True:
        snap = page.evaluate("(since) => window.__bench.snapshot(since)", since)
        last_change = max(snap["lastEvent"], snap["lastChart"] if charts else 0)
        done = (
            snap["state"] == "notRunning"
            and snap["lastIdle"] is not None
            and (not charts or (snap["charts"] > 0 and snap["drawn"] == snap["charts"]))
            and snap["now"] - last_change >= quiet_ms
            and ready(snap)
        )
        if done:
            end = max(snap["lastIdle"], snap["lastChart"] if charts else 0)
            return Sample(end - since, snap["firstIdle"] - since, snap["runs"])
        if time.monotonic() > deadline:
            page.screenshot(path=str(Path(tempfile.gettempdir()) / "browser-bench-timeout.png"))
            raise TimeoutError(f"the page never settled: {snap}")
        page.wait_for_timeout(50)


def visible(page, selector: str) -> Callable[[dict], bool]:
    return lambda _snap: page.locator(selector).first.is_visible()


def navigate(page, url: str, *, quiet_ms: float, ready, charts: bool = False) -> Sample:
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => window.__bench !== undefined")
    return settle(page, since=0.0, quiet_ms=quiet_ms, ready=ready, charts=charts)


def act(page, action: Callable[[], None], *, quiet_ms: float, ready, charts: bool = False):
    """Run `action` (a click or a key press) and time from its input event."""
    page.evaluate("() => { window.__bench.input = 0; }")
    action()
    page.wait_for_function("() => window.__bench.input > 0")
    since = page.evaluate("() => window.__bench.input")
    return settle(page, since=since, quiet_ms=quiet_ms, ready=ready, charts=charts)


# --- the actions ----------------------------------------------------------------------------------


def sign_in(page, base: str) -> None:
    # The first run of a cold server imports everything: allow it time.
    page.goto(base, wait_until="commit")
    page.wait_for_function("() => window.__bench !== undefined")
    form = visible(page, "[data-testid='stForm']")
    settle(page, since=0.0, quiet_ms=1000, ready=form, timeout_s=300)
    page.get_by_role("textbox", name="Username").fill(USERNAME)
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    # On a loaded machine a submit sent while the page is still settling can be lost: retry.
    for attempt in range(5):
        page.get_by_role("button", name="Sign in").click()
        try:
            page.get_by_role("button", name="Sign out", exact=True).wait_for(timeout=30_000)
            break
        except Exception:
            print(f"  sign-in attempt {attempt + 1}: {page.evaluate('window.__bench.events')}")
    else:
        raise SystemExit("could not sign in")
    for _ in range(200):
        if any(c["name"] == "prdesk_session" for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise SystemExit("the sign-in cookie never arrived")


PERIODS = (("Last 4 weeks", "last_4_weeks"), ("This quarter", "this_quarter"))


def one_round(page, app: str, empty: str, data: dict, quiet: dict, n: int) -> dict[str, Sample]:
    out: dict[str, Sample] = {}
    heading = "[data-testid='stApp'] h1"
    out["empty page (floor)"] = navigate(
        page, empty, quiet_ms=quiet["load"], ready=visible(page, heading)
    )
    out["dashboard, full load"] = navigate(
        page,
        f"{app}/",  # the dashboard is a manager's default page, served at the root
        quiet_ms=quiet["load"],
        ready=visible(page, "h1:has-text('Dashboard')"),
        charts=True,
    )
    # The period box: the first selectbox on the page.
    choice, in_url = PERIODS[n % 2]
    box = page.locator("[data-testid='stSelectbox']").first
    try:
        box.click(timeout=10_000)
    except Exception:
        page.screenshot(path=str(LOGS / "browser-bench-period.png"))
        raise
    option = page.get_by_role("option", name=choice, exact=True)
    out["dashboard, period change"] = act(
        page,
        option.click,
        quiet_ms=quiet["action"],
        ready=lambda _s: f"period={in_url}" in page.url,
        charts=True,
    )
    out["worklist"] = navigate(
        page,
        f"{app}/concerns",
        quiet_ms=quiet["load"],
        ready=visible(page, "[data-testid='stDataFrame'] canvas"),
    )
    grid = page.locator("[data-testid='stDataFrame'] canvas").first
    grid.scroll_into_view_if_needed()
    box_ = grid.bounding_box()
    # The row-selection marker of the first row (header and rows are 35 px high).
    out["open a concern"] = act(
        page,
        lambda: page.mouse.click(box_["x"] + 16, box_["y"] + 35 + 17),
        quiet_ms=quiet["action"],
        ready=visible(page, "button:has-text('Back to the worklist')"),
    )
    navigate(
        page,
        f"{app}/patients",
        quiet_ms=quiet["action"],
        ready=visible(page, "h1:has-text('Patients')"),
    )
    search = page.get_by_role("textbox", name="Search by MRN, name or phone digits")
    search.fill(data["family"])
    out["patient search"] = act(
        page,
        lambda: search.press("Enter"),
        quiet_ms=quiet["action"],
        ready=visible(page, "h2"),
    )
    navigate(
        page,
        f"{app}/log-interaction",
        quiet_ms=quiet["action"],
        ready=visible(page, "h1:has-text('Log interaction')"),
    )
    search = page.get_by_role("textbox", name="Search by MRN, name or phone digits")
    search.fill(data["mrn"])
    search.press("Enter")
    page.get_by_role("combobox", name="Matching patients").wait_for()
    settle(page, since=0.0, quiet_ms=quiet["action"], ready=lambda _s: True)
    page.locator("textarea").first.fill(f"Benchmark call {n}: asked for visiting hours")
    out["log a call: Save -> confirmation"] = act(
        page,
        lambda: page.get_by_role("button", name="Save").click(),
        quiet_ms=quiet["action"],
        ready=visible(page, ".prd-notice-success, [data-testid='stAlertContentSuccess']"),
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="demo", help="data set to generate when empty")
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds first")
    parser.add_argument("--quiet", type=float, default=1000, help="quiet ms after a navigation")
    parser.add_argument("--quiet-action", type=float, default=600, help="quiet ms after an action")
    parser.add_argument("--port", type=int, default=0, help="app port (0: a free one)")
    parser.add_argument("--empty-port", type=int, default=0, help="empty page port (0: free)")
    args = parser.parse_args(argv)
    quiet = {"load": args.quiet, "action": args.quiet_action}

    data = prepare(args.size)
    print(
        f"Data: {data['interactions']:,} interactions, {data['concerns']:,} concerns, "
        f"{data['patients']:,} patients; load average before: {_load()}",
        flush=True,
    )
    os.environ.setdefault("PRD_COOKIE_KEY", secrets.token_urlsafe(48))
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp:
        empty_script = Path(tmp) / "empty_page.py"
        empty_script.write_text(EMPTY_PAGE)
        app_port = args.port or _free_port()
        empty_port = args.empty_port or _free_port()
        with (
            serve(ROOT / "app.py", app_port, LOGS / f"browser-bench-{app_port}.log") as app,
            serve(empty_script, empty_port, LOGS / f"browser-bench-{empty_port}.log") as empty,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            context.add_init_script(OBSERVER)
            page = context.new_page()
            page.set_default_timeout(60_000)
            try:
                sign_in(page, app)
            except Exception:
                page.screenshot(path=str(Path(tempfile.gettempdir()) / "browser-bench-sign-in.png"))
                raise
            results: dict[str, Series] = {}
            loads = []
            for n in range(args.warmup + args.rounds):
                round_ = one_round(page, app, empty, data, quiet, n)
                if n < args.warmup:
                    continue
                loads.append(os.getloadavg()[0])
                for name, sample in round_.items():
                    results.setdefault(name, Series()).samples.append(sample)
                print(
                    f"round {n - args.warmup + 1}/{args.rounds}: "
                    + ", ".join(f"{k.split(':')[0]} {v.ready_ms:.0f}" for k, v in round_.items())
                    + f" (load {loads[-1]:.1f})",
                    flush=True,
                )
            browser.close()

    floor, _ = median_and_p95(results["empty page (floor)"].ready())
    print(
        f"\n{args.rounds} rounds at size {args.size}; load average (1 min) during the rounds:"
        f" {min(loads):.1f}-{max(loads):.1f}, after: {_load()}"
    )
    print(
        "\n| action | median ms | p95 ms | x empty page | first run ends, median ms"
        " | script runs (median, max) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, series in results.items():
        median, p95 = median_and_p95(series.ready())
        first = statistics.median(s.first_run_end_ms for s in series.samples)
        runs = [s.runs for s in series.samples]
        print(
            f"| {name} | {median:.0f} | {p95:.0f} | {median / floor:.1f} | {first:.0f}"
            f" | {statistics.median(runs):.0f}, {max(runs)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

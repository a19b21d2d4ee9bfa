"""Open-loop load on ``POST /v1/checks`` at a fixed request rate, with server RSS over time.

Requests are launched on a fixed schedule (``--rate`` per second) whatever the server does,
so queueing shows up as latency instead of as a lower rate. The run is bounded by both
``--count`` and ``--duration`` (whichever comes first) and by ``--max-in-flight``: a request
due while that many are outstanding is not sent and is counted as shed. Latency is measured
from the *scheduled* launch instant, so a lagging client cannot hide queueing (coordinated
omission). By default a throw-away ``chartready serve`` is started on a free loopback port
(``--reader-processes`` reader processes) and the RSS of its whole process tree is sampled every
``--sample-interval`` seconds; with ``--url`` an already running server is used and RSS is
sampled only for ``--pid``. Notes are three hand-written, PHI-free notes of different
lengths, sent in turn.

    .venv/bin/python bench/load.py --rate 10 --count 600 --duration 60 --json load.json

Exit status 1 if any request got a 5xx or a transport error (or none succeeded).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import os
import platform
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType

import httpx
from _server import local_server
from latency import percentile


@dataclass(frozen=True)
class Note:
    """A synthetic note and the payer profile it is checked against."""

    name: str
    payer: str
    text: str


# Hand-written and PHI-free; three lengths so the mix is not one fixed cost.
NOTES = (
    Note(
        "short-mbb",
        "medicare",
        "PROCEDURE: Right L4-L5 and L5-S1 medial branch blocks under fluoroscopy.\n"
        "Axial low back pain 6/10 for 7 months; 6 weeks of home exercise without relief.\n"
        "Consent signed. 0.5 mL of 0.5% bupivacaine at each level. No sedation.\n"
        "Post-procedure pain 1/10 at 30 minutes. No complications.\n",
    ),
    Note(
        "medium-tfesi",
        "commercial",
        "PROCEDURE NOTE\n"
        "PROCEDURE: Left L5-S1 transforaminal epidural steroid injection.\n"
        "INDICATION: Left buttock and posterolateral leg pain for 4 months, 8/10 at worst, "
        "with numbness along the lateral foot. Physical therapy twice weekly for 6 weeks and "
        "naproxen did not help. MRI: left paracentral L5-S1 protrusion contacting the "
        "descending S1 root. Sitting tolerance 15 minutes.\n"
        "CONSENT: Risks including bleeding, infection, nerve injury and headache were "
        "reviewed; written informed consent was obtained. Time-out performed.\n"
        "TECHNIQUE: Prone, sterile prep. Skin and track anesthetized with 1% lidocaine. "
        "A 22-gauge spinal needle was advanced under fluoroscopic guidance to the left L5-S1 "
        "foramen. Omnipaque 180, 1.5 mL, outlined the S1 root and the epidural space with no "
        "vascular or intrathecal flow on live fluoroscopy. Dexamethasone 10 mg in 1 mL of "
        "preservative-free saline was injected slowly. Images were saved to the record.\n"
        "SEDATION: None.\n"
        "DISPOSITION: Pain 3/10 after the procedure; strength unchanged. Follow-up in 2 "
        "weeks with a pain diary.\n",
    ),
    Note(
        "long-rfa",
        "medicare",
        "INTERVENTIONAL PAIN PROCEDURE NOTE\n"
        "PROCEDURE: Radiofrequency ablation of the right L3 and L4 medial branches and the "
        "L5 dorsal ramus (right L4-L5 and L5-S1 facet joints).\n"
        "HISTORY: Right-sided axial low back pain for over 2 years, worse with extension and "
        "rotation, without radicular features. Pain averages 7/10. Standing is limited to 20 "
        "minutes and the patient has stopped gardening. Conservative care over the past "
        "year: 12 weeks of supervised physical therapy, a home stretching program, "
        "meloxicam and acetaminophen, and activity modification; none gave lasting relief. "
        "Imaging shows moderate right L4-L5 and L5-S1 facet arthropathy.\n"
        "DIAGNOSTIC BLOCKS: First right L4-L5 and L5-S1 medial branch block with 0.5 mL of "
        "2% lidocaine per level gave 90% relief for 2 hours. Confirmatory block with 0.5 mL "
        "of 0.5% bupivacaine per level gave 85% relief for 6 hours, recorded in a pain "
        "diary. Both blocks were done without sedation.\n"
        "CONSENT: The procedure, expected benefit and risks (bleeding, infection, neuritis, "
        "numbness, temporary increase in pain, nerve injury) were discussed along with "
        "alternatives. Questions were answered and written informed consent was signed. "
        "A time-out confirmed the side and levels.\n"
        "TECHNIQUE: Prone position, sterile prep and drape. After skin wheals with 1% "
        "lidocaine, an 18-gauge 10 cm radiofrequency cannula with a 10 mm active tip was "
        "placed under fluoroscopic guidance parallel to each target nerve, at the junction "
        "of the superior articular process and transverse process for L3 and L4 and in the "
        "groove between the S1 superior articular process and the sacral ala for L5. "
        "Oblique and lateral views confirmed position. Sensory stimulation at 50 Hz was "
        "felt at 0.4 V or less; motor stimulation at 2 Hz up to 2 V produced no leg "
        "contraction. After 1 mL of 2% lidocaine at each level, lesions were made at 80 "
        "degrees C for 90 seconds, with a second lesion after rotating each cannula. "
        "Fluoroscopic images of every cannula position were saved.\n"
        "SEDATION: Local anesthesia only.\n"
        "COMPLICATIONS: None. Estimated blood loss minimal.\n"
        "DISPOSITION: Pain 2/10 in recovery, ambulating without difficulty, neurologic "
        "examination unchanged. Instructions reviewed, including possible soreness for up "
        "to 2 weeks. Follow-up in 6 weeks to document functional change.\n",
    ),
)
OK_STATUS = 200
SHED = "shed: in-flight cap"


@dataclass(frozen=True)
class Outcome:
    """One scheduled request: when it was due, what came back and how long it took."""

    due_s: float
    lag_s: float
    latency_s: float | None
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        """True for a 200 response."""
        return self.status == OK_STATUS

    @property
    def failure(self) -> str | None:
        """``"HTTP <code>"``, an exception name, the shed marker, or None when it was ok."""
        if self.ok:
            return None
        if self.status is not None:
            return f"HTTP {self.status}"
        return self.error


@dataclass(frozen=True)
class RssSample:
    """Resident memory of the server's process tree at ``t_s`` seconds into the run."""

    t_s: float
    rss_mb: float
    processes: int


@dataclass(frozen=True)
class Window:
    """Figures for the requests due in ``[start_s, start_s + width)`` and RSS seen then."""

    start_s: float
    requests: int
    ok: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    rss_max_mb: float


@dataclass(frozen=True)
class Summary:
    """Figures for the whole run."""

    target_rate: float
    scheduled: int
    sent: int
    ok: int
    shed: int
    errors: dict[str, int]
    send_rate: float
    ok_rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    max_lag_ms: float
    wall_s: float
    rss_start_mb: float
    rss_max_mb: float
    rss_end_mb: float


@dataclass
class LoadRun:
    """Everything one run produced."""

    outcomes: list[Outcome] = field(default_factory=list)
    samples: list[RssSample] = field(default_factory=list)
    launch_times: list[float] = field(default_factory=list)
    wall_s: float = 0.0


def schedule(rate: float, count: int, duration: float) -> list[float]:
    """Launch offsets ``i / rate`` in seconds: at most ``count``, all before ``duration``."""
    if rate <= 0 or count < 0 or duration < 0:
        raise ValueError("rate must be positive; count and duration not negative")
    offsets = (index / rate for index in range(count))
    return [offset for offset in offsets if offset < duration]


def _psutil() -> ModuleType | None:
    try:
        return importlib.import_module("psutil")
    except ImportError:
        return None


def _proc_rss_kb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0  # a zombie has no VmRSS line


def _proc_children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(part) for part in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


def proc_tree_rss(pid: int) -> tuple[float, int] | None:
    """(RSS in MB, processes) of ``pid`` and its descendants, read from ``/proc``."""
    total_kb, processes, pending, seen = 0, 0, [pid], set[int]()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        rss = _proc_rss_kb(current)
        if rss is None:
            if current == pid:
                return None
            continue
        total_kb += rss
        processes += 1
        pending += _proc_children(current)
    return total_kb / 1024, processes


def psutil_tree_rss(pid: int) -> tuple[float, int] | None:
    """(RSS in MB, processes) of ``pid`` and its descendants via psutil (None if absent)."""
    psutil = _psutil()
    if psutil is None:
        return None
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return None
    total, processes = 0, 0
    for process in tree:
        try:
            total += int(process.memory_info().rss)
            processes += 1
        except psutil.Error:
            continue
    return total / 2**20, processes


def tree_rss(pid: int) -> tuple[float, int] | None:
    """RSS of a process tree: psutil when installed, else ``/proc`` (Linux)."""
    if _psutil() is not None:
        return psutil_tree_rss(pid)
    return proc_tree_rss(pid)


def summarise_windows(run: LoadRun, width: float) -> list[Window]:
    """Per-window figures, by due time for requests and by sample time for RSS."""
    last = max([o.due_s for o in run.outcomes] + [s.t_s for s in run.samples] + [0.0])
    windows: list[Window] = []
    for index in range(int(last // width) + 1):
        start, end = index * width, (index + 1) * width
        due = [o for o in run.outcomes if start <= o.due_s < end]
        ms = sorted(o.latency_s * 1000 for o in due if o.ok and o.latency_s is not None)
        rss = [s.rss_mb for s in run.samples if start <= s.t_s < end]
        windows.append(
            Window(
                start_s=start,
                requests=len(due),
                ok=sum(o.ok for o in due),
                errors=sum(not o.ok for o in due),
                p50_ms=round(percentile(ms, 50), 1),
                p99_ms=round(percentile(ms, 99), 1),
                max_ms=round(ms[-1], 1) if ms else math.nan,
                rss_max_mb=round(max(rss), 1) if rss else math.nan,
            )
        )
    return windows


def summarise(run: LoadRun, rate: float) -> Summary:
    """Totals, error counts by kind, achieved rates and latency percentiles of ``run``."""
    sent = [o for o in run.outcomes if o.error != SHED]
    ms = sorted(o.latency_s * 1000 for o in sent if o.ok and o.latency_s is not None)
    launches = sorted(run.launch_times)
    span = launches[-1] - launches[0] if len(launches) > 1 else 0.0
    ok = len(ms)
    rss = [s.rss_mb for s in run.samples]
    return Summary(
        target_rate=rate,
        scheduled=len(run.outcomes),
        sent=len(sent),
        ok=ok,
        shed=len(run.outcomes) - len(sent),
        errors=dict(Counter(o.failure for o in run.outcomes if o.failure is not None)),
        send_rate=round((len(launches) - 1) / span, 2) if span > 0 else math.nan,
        ok_rate=round(ok / run.wall_s, 2) if run.wall_s > 0 else math.nan,
        p50_ms=round(percentile(ms, 50), 1),
        p95_ms=round(percentile(ms, 95), 1),
        p99_ms=round(percentile(ms, 99), 1),
        max_ms=round(ms[-1], 1) if ms else math.nan,
        max_lag_ms=round(max((o.lag_s for o in sent), default=0.0) * 1000, 1),
        wall_s=round(run.wall_s, 2),
        rss_start_mb=round(rss[0], 1) if rss else math.nan,
        rss_max_mb=round(max(rss), 1) if rss else math.nan,
        rss_end_mb=round(rss[-1], 1) if rss else math.nan,
    )


def failed(summary: Summary) -> bool:
    """True if any request got a 5xx or a transport error, or if none succeeded."""
    for kind in summary.errors:
        if kind == SHED:
            continue
        if not kind.startswith("HTTP ") or kind.startswith("HTTP 5"):
            return True
    return summary.ok == 0


async def _sample_rss(
    pid: int | None, t0: float, every: float, stop: asyncio.Event
) -> list[RssSample]:
    samples: list[RssSample] = []
    if pid is None:
        return samples
    while True:
        measured = tree_rss(pid)
        if measured is not None:
            samples.append(_sample(t0, measured))
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
            break
        except TimeoutError:
            continue
    measured = tree_rss(pid)
    if measured is not None:
        samples.append(_sample(t0, measured))
    return samples


def _sample(t0: float, measured: tuple[float, int]) -> RssSample:
    return RssSample(round(time.perf_counter() - t0, 2), round(measured[0], 1), measured[1])


async def run_load(
    base: str,
    key: str,
    offsets: Sequence[float],
    *,
    max_in_flight: int,
    timeout: float,
    pid: int | None,
    sample_every: float,
) -> LoadRun:
    """Launch one request per offset (open loop), sample RSS, wait for the stragglers."""
    run = LoadRun()
    in_flight = 0
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=timeout
    ) as http:
        t0 = time.perf_counter()
        sampler = asyncio.create_task(_sample_rss(pid, t0, sample_every, stop))

        async def one(index: int, due: float) -> None:
            nonlocal in_flight
            note = NOTES[index % len(NOTES)]
            launched = time.perf_counter()
            run.launch_times.append(launched - t0)
            status: int | None = None
            error: str | None = None
            try:
                response = await http.post(
                    "/v1/checks", json={"note": note.text, "payer": note.payer}
                )
                status = response.status_code
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            finally:
                in_flight -= 1
            finished = time.perf_counter() - t0
            latency = finished - due if status is not None else None
            run.outcomes.append(Outcome(due, launched - t0 - due, latency, status, error))

        tasks: list[asyncio.Task[None]] = []
        for index, due in enumerate(offsets):
            delay = t0 + due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if in_flight >= max_in_flight:
                run.outcomes.append(Outcome(due, 0.0, None, None, SHED))
                continue
            in_flight += 1
            tasks.append(asyncio.create_task(one(index, due)))
        await asyncio.gather(*tasks)
        run.wall_s = time.perf_counter() - t0
        stop.set()
        run.samples = await sampler
    return run


async def warm_up(base: str, key: str, requests: int, timeout: float) -> None:
    """Send ``requests`` unmeasured requests one at a time (first-call costs stay out)."""
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout) as http:
        for index in range(requests):
            note = NOTES[index % len(NOTES)]
            await http.post("/v1/checks", json={"note": note.text, "payer": note.payer})


def json_safe(value: object) -> object:
    """``value`` with every NaN float replaced by None (strict JSON has no NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {name: json_safe(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def _fmt(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:g}"


def print_report(header: str, windows: list[Window], summary: Summary, width: float) -> None:
    """The per-window table and the summary, as Markdown."""
    print(header)
    print()
    print(f"| window ({width:g} s) | requests | ok | errors | p50 ms | p99 ms | max ms | RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for w in windows:
        print(
            f"| {w.start_s:g}-{w.start_s + width:g} | {w.requests} | {w.ok} | {w.errors} | "
            f"{_fmt(w.p50_ms)} | {_fmt(w.p99_ms)} | {_fmt(w.max_ms)} | {_fmt(w.rss_max_mb)} |"
        )
    print()
    errors = ", ".join(f"{kind}: {n}" for kind, n in sorted(summary.errors.items())) or "none"
    print(
        f"target {summary.target_rate:g} req/s; scheduled {summary.scheduled}, "
        f"sent {summary.sent}, ok {summary.ok}, shed {summary.shed}; errors: {errors}"
    )
    print(
        f"send rate {_fmt(summary.send_rate)} req/s, ok rate {_fmt(summary.ok_rate)} req/s "
        f"over {summary.wall_s:g} s; max client lag {summary.max_lag_ms:g} ms"
    )
    print(
        f"latency ms p50 {_fmt(summary.p50_ms)}, p95 {_fmt(summary.p95_ms)}, "
        f"p99 {_fmt(summary.p99_ms)}, max {_fmt(summary.max_ms)}"
    )
    print(
        f"server RSS MB start {_fmt(summary.rss_start_mb)}, max {_fmt(summary.rss_max_mb)}, "
        f"end {_fmt(summary.rss_end_mb)}"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=10.0, help="requests launched per second")
    parser.add_argument("--count", type=int, default=600, help="at most this many requests")
    parser.add_argument("--duration", type=float, default=60.0, help="launch for at most N s")
    parser.add_argument("--max-in-flight", type=int, default=64, help="cap on open requests")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, s")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests first")
    parser.add_argument("--window", type=float, default=5.0, help="report window, s")
    parser.add_argument("--sample-interval", type=float, default=1.0, help="RSS sampling, s")
    parser.add_argument(
        "--reader-processes", type=int, help="the server's reader processes (default: its own)"
    )
    parser.add_argument("--startup-timeout", type=float, default=180.0)
    parser.add_argument("--url", help="load this running server instead of starting one")
    parser.add_argument("--key", help="API key for --url")
    parser.add_argument("--pid", type=int, help="server process id to sample with --url")
    parser.add_argument("--json", type=Path, help="also write all figures to this file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one load test; 1 if any 5xx or transport error occurred (or nothing succeeded)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.url and not args.key:
        parser.error("--url needs --key")
    if args.pid is not None and not args.url:
        parser.error("--pid is for --url; a server started here is always sampled")
    positive = (args.rate, args.count, args.duration, args.max_in_flight, args.timeout)
    if min(positive) <= 0 or args.window <= 0 or args.sample_interval <= 0:
        parser.error("rate, count, duration, caps, timeout, window and intervals must be > 0")
    offsets = schedule(args.rate, args.count, args.duration)

    def measure(base: str, key: str, pid: int | None) -> LoadRun:
        asyncio.run(warm_up(base, key, args.warmup, args.timeout))
        return asyncio.run(
            run_load(
                base,
                key,
                offsets,
                max_in_flight=args.max_in_flight,
                timeout=args.timeout,
                pid=pid,
                sample_every=args.sample_interval,
            )
        )

    load_before = os.getloadavg()
    readers = ""
    if args.url:
        run = measure(args.url.rstrip("/"), args.key, args.pid)
    else:
        with local_server(args.startup_timeout, reader_processes=args.reader_processes) as server:
            run = measure(server.base, server.key, server.pid)
            readers = f"reader processes {server.readers}"
    load_after = os.getloadavg()
    windows = summarise_windows(run, args.window)
    summary = summarise(run, args.rate)
    workers = "external server" if args.url else readers
    rss_source = "psutil" if _psutil() is not None else "/proc"
    header = (
        f"POST /v1/checks on loopback, open loop at {args.rate:g} req/s "
        f"(count {args.count}, duration {args.duration:g} s, max in flight "
        f"{args.max_in_flight}); {workers}; {len(NOTES)} synthetic notes; "
        f"{os.cpu_count()} CPUs; Python {platform.python_version()}; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; RSS of the server "
        f"process tree via {rss_source}"
    )
    print_report(header, windows, summary, args.window)
    if args.json:
        figures = {
            "config": {
                name: str(value) if isinstance(value, Path) else value
                for name, value in vars(args).items()
                if name != "key"  # never write the API key
            },
            "environment": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "loadavg_before": load_before,
                "loadavg_after": load_after,
                "rss_source": rss_source,
                "notes": [{"name": n.name, "payer": n.payer, "chars": len(n.text)} for n in NOTES],
            },
            "summary": asdict(summary),
            "windows": [asdict(w) for w in windows],
            "rss": [asdict(s) for s in run.samples],
            "requests": [asdict(o) for o in sorted(run.outcomes, key=lambda o: o.due_s)],
        }
        args.json.write_text(json.dumps(json_safe(figures), indent=2, allow_nan=False))
    return 1 if failed(summary) else 0


if __name__ == "__main__":
    raise SystemExit(main())

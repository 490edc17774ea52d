"""Scheduled refreshes: a Prefect deployment with a cron schedule, served by `coop serve`.

`scheduled_refresh` fetches the releases raw/sources.toml declares by url, then runs the refresh
flow as a subflow.  `serve_scheduled_refresh` registers it as a deployment on the Prefect server
that PREFECT_API_URL names and keeps running to execute its runs (Prefect 3's `flow.serve`
model: no work pool or worker).  A failed run ends in state Failed with coop's error message
as the reason; the refresh publishes atomically, so the last good marts stay published.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron, Schedule
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

from pipelines import __version__
from pipelines.errors import SchedulerError
from pipelines.fetch import fetch_sources
from pipelines.flows import refresh_flow
from pipelines.settings import Settings, get_settings

DEFAULT_CRON = "0 4 1 * *"  # 04:00 on the first day of every month
DEFAULT_TIMEZONE = "UTC"
DEFAULT_DEPLOYMENT = "coop-refresh"
FLOW_NAME = "scheduled-refresh"

_START_SERVER_HINT = (
    "Start one in another terminal with `prefect server start --host 127.0.0.1 --port 4200`, "
    "then `export PREFECT_API_URL=http://127.0.0.1:4200/api`."
)


@task(name="fetch", cache_policy=NO_CACHE)
def fetch(settings: Settings) -> dict:
    """Download the releases declared by url whose pinned sha256 raw/ does not hold yet."""
    report = fetch_sources(settings)
    logger = get_run_logger()
    for item in report.files:
        if item.url is not None:
            logger.info("%s %s (%s)", item.status, item.file, item.url)
    report.raise_for_failures()
    return report.as_dict()


@flow(name=FLOW_NAME, log_prints=True)
def scheduled_refresh() -> dict:
    """Fetch declared source releases, then refresh: load -> ... -> publish -> report."""
    fetched = fetch(get_settings())
    return {"fetch": fetched, "refresh": refresh_flow()}


def schedule_for(cron: str, timezone: str) -> Schedule:
    """The cron schedule, or a clear refusal of a bad expression or time zone."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SchedulerError(
            f"unknown time zone {timezone!r}: use an IANA name such as UTC or Europe/Berlin."
        ) from exc
    try:
        return Cron(cron, timezone=timezone)
    except ValueError as exc:
        raise SchedulerError(
            f"invalid cron expression {cron!r} ({exc}). Five fields: minute hour day-of-month "
            f"month day-of-week, e.g. {DEFAULT_CRON!r} for 04:00 on the 1st of every month."
        ) from exc


def prefect_api_url() -> str:
    """The Prefect server's API url: PREFECT_API_URL (or the active Prefect profile), else
    the server `coop server start` keeps for this project."""
    url = get_current_settings().api.url
    if url:
        return str(url).rstrip("/")
    from pipelines.orchestration import coop_server_url

    url = coop_server_url(get_settings())
    if not url:
        raise SchedulerError(
            "PREFECT_API_URL is not set and no `coop server start` server runs: a schedule "
            "needs a running Prefect server (the temporary one `coop refresh` starts cannot "
            f"keep a schedule). Run `coop server start`, or: {_START_SERVER_HINT}"
        )
    return url


def check_server(api_url: str, timeout_seconds: float = 5.0) -> None:
    try:
        response = httpx.get(f"{api_url}/health", timeout=timeout_seconds)
    except httpx.HTTPError as exc:
        raise SchedulerError(
            f"no Prefect server answers at {api_url} ({type(exc).__name__}: {exc}). "
            f"{_START_SERVER_HINT}"
        ) from exc
    if not response.is_success:
        raise SchedulerError(
            f"{api_url}/health answered HTTP {response.status_code}: PREFECT_API_URL must "
            f"name a Prefect server's API, which ends in /api. {_START_SERVER_HINT}"
        )


def serve_scheduled_refresh(cron: str, timezone: str, name: str) -> None:
    """Register the deployment with its schedule, then execute its runs until stopped."""
    schedule = schedule_for(cron, timezone)
    api_url = prefect_api_url()
    check_server(api_url)
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        _serve(name, schedule)


def _serve(name: str, schedule: Schedule) -> None:
    scheduled_refresh.serve(
        name=name,
        schedules=[schedule],
        description=(
            "Fetch declared source releases, then refresh and publish coop's marts. "
            "Served by `coop serve`."
        ),
        tags=["coop"],
        version=__version__,
        # One run at a time: a second would be refused by the writer lock anyway.
        limit=1,
        # Stopping `coop serve` pauses the schedule, so runs do not pile up unserved as Late.
        pause_on_shutdown=True,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )

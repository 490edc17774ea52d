"""Report stage: render reports/index.html from the published marts, offline and escaped.

Queries live in sql/reports/ and read only marts.  Figures are passed to the page as JSON
through Jinja2's `tojson` filter (which escapes <, >, & and quotes), and the page carries one
inline copy of plotly.js, so it works from file:// with no network.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from pipelines.db import connect_published
from pipelines.publish import read_published_manifest
from pipelines.settings import Settings

CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("pipelines", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def run_report_queries(settings: Settings) -> dict[str, pd.DataFrame]:
    con = connect_published(settings.published_db)
    try:
        return {
            path.stem: con.execute(path.read_text(encoding="utf-8")).df()
            for path in sorted((settings.sql_dir / "reports").glob("*.sql"))
        }
    finally:
        con.close()


def _figure_json(figure: go.Figure) -> dict:
    figure.update_layout(
        template="plotly_white", margin={"l": 50, "r": 20, "t": 50, "b": 40}, height=380
    )
    return json.loads(figure.to_json())


def build_figures(frames: dict[str, pd.DataFrame]) -> list[dict]:
    figures = []
    trends = frames["central_asia_trends"]
    for column, title in (
        ("alliance_partners_defense", "Defence-pact partners (ATOP)"),
        ("security_igo_full", "Full memberships in security organisations (COW IGO)"),
        ("exercises", "Multinational military exercises (MME)"),
    ):
        figure = go.Figure()
        for (iso3, country), rows in trends.groupby(["iso3", "country"], sort=True):
            figure.add_trace(
                go.Scatter(
                    x=rows["year"], y=rows[column], mode="lines+markers", name=f"{country} ({iso3})"
                )
            )
        figure.update_layout(title=f"Central Asia: {title}", xaxis_title="year")
        figures.append({"id": f"ca-{column}", "figure": _figure_json(figure)})

    world = frames["world_activity_by_year"]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=world["year"],
            y=world["defence_pacts_dyads"],
            name="pairs of states with a defence pact",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=world["year"],
            y=world["exercise_participations"],
            name="state participations in exercises",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=world["year"], y=world["pko_contributors"], name="states contributing UN peacekeepers"
        )
    )
    figure.update_layout(title="The whole state system since 1946", xaxis_title="year")
    figures.append({"id": "world-activity", "figure": _figure_json(figure)})

    top = frames["top_exercise_partners"]
    figure = go.Figure(go.Bar(x=top["exercise_partners"], y=top["country"], orientation="h"))
    year = int(top["year"].iloc[0]) if len(top) else ""
    figure.update_layout(title=f"Most exercise partners, {year}", yaxis={"autorange": "reversed"})
    figures.append({"id": "top-exercise-partners", "figure": _figure_json(figure)})
    return figures


VALIDATION_LINK = "validation"
VALIDATION_DOCS_TO_KEEP = 3


def publish_validation_docs(settings: Settings, docs_dir: Path) -> None:
    """Point reports/validation at this run's Data Docs (atomic symlink swap); prune old ones."""
    if not docs_dir.is_dir():
        return
    link = settings.reports_dir / VALIDATION_LINK
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    temporary = link.with_name(f".{VALIDATION_LINK}.tmp-{os.getpid()}")
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(docs_dir.name)
    os.replace(temporary, link)
    older = sorted(p for p in settings.reports_dir.glob(".validation-*") if p != docs_dir)
    for stale in older[: max(0, len(older) - (VALIDATION_DOCS_TO_KEEP - 1))]:
        shutil.rmtree(stale, ignore_errors=True)


def render_index(settings: Settings) -> Path:
    frames = run_report_queries(settings)
    manifest = read_published_manifest(settings) or {}
    html = (
        _environment()
        .get_template("index.html.j2")
        .render(
            title="coop: international military cooperation indicators",
            plotly_js=get_plotlyjs(),
            figures=build_figures(frames),
            coverage=frames["source_coverage"].to_dict("records"),
            quarantine=frames["quarantine_by_rule"].to_dict("records"),
            run_id=manifest.get("run_id", "unknown"),
            published_at=manifest.get("published_at", "unknown"),
            rendered_at=datetime.now(UTC).isoformat(timespec="seconds"),
            central_asia=", ".join(CENTRAL_ASIA),
            validation_link=(
                f"{VALIDATION_LINK}/index.html"
                if (settings.reports_dir / VALIDATION_LINK / "index.html").exists()
                else None
            ),
            gate=manifest.get("gate", {}).get("suites", {}),
        )
    )
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    target = settings.reports_dir / "index.html"
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, target)
    return target

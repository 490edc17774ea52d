"""Report stage: render the stakeholder pages from the published marts, offline and escaped.

`render_index` renders the whole site (overview, regional page, one page per state; see
pipelines/reports/site.py) and returns the overview's path.  `publish_validation_docs` points
reports/validation at this run's Great Expectations Data Docs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipelines.publish import read_published_manifest, record_reports_rendered
from pipelines.reports.site import VALIDATION_LINK, RenderedSite, render_site
from pipelines.settings import Settings

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


def render_reports(settings: Settings) -> RenderedSite:
    """Render every report page from the published marts, then record which release they show
    (reports/.rendered.json), so a refresh stopped mid-way is followed by a re-render."""
    manifest = read_published_manifest(settings)
    site = render_site(settings)
    record_reports_rendered(settings, manifest.get("run_id") if manifest else None)
    return site


def render_index(settings: Settings) -> Path:
    """Render every report page from the published marts; return reports/index.html."""
    return render_reports(settings).index

"""Smoke: `coop events refresh` runs the Prefect flow on the shipped samples (DuckDB engine)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipelines.cli import main


@pytest.mark.smoke
def test_coop_events_refresh_publishes_a_release(tmp_path, monkeypatch):
    from prefect.testing.utilities import prefect_test_harness

    monkeypatch.setenv("COOP_MARTS_DIR", str(tmp_path / "marts"))
    monkeypatch.setenv("COOP_EVENTS_LAKE", str(tmp_path / "lake"))
    monkeypatch.delenv("COOP_EVENT_ENGINE", raising=False)
    with prefect_test_harness(server_startup_timeout=180):
        result = CliRunner().invoke(main, ["events", "refresh"])
    assert result.exit_code == 0, result.output
    assert "Event refresh on duckdb finished" in result.output
    manifest = json.loads((tmp_path / "marts/events/current/manifest.json").read_text())
    assert manifest["engine"] == "duckdb" and manifest["checks_failed"] == 0
    assert manifest["marts"]["mart_event_quarantine"] == 0

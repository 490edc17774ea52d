"""The event refresh as plain functions (no Prefect): convert -> build -> gate -> publish, and a
failing gate that publishes nothing and leaves the last release in place."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipelines.errors import CoopError, ModelCheckError
from pipelines.events import refresh
from pipelines.settings import get_settings


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("COOP_MARTS_DIR", str(tmp_path / "marts"))
    monkeypatch.setenv("COOP_EVENTS_LAKE", str(tmp_path / "lake"))
    return get_settings()


def run_all(settings, engine="duckdb"):
    converted = refresh.stage_convert(settings)
    run = refresh.new_run(settings, engine)
    built = refresh.stage_build(settings, run)
    refresh.stage_gate(settings, run)
    return refresh.stage_publish(settings, run, {"converted": converted, "build": built})


def test_refresh_publishes_the_event_marts_atomically(settings):
    release = run_all(settings)
    current = settings.events_marts_dir / "current"
    assert current.resolve() == release.resolve()
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["engine"] == "duckdb"
    assert manifest["converted"] == {"20191024143000.export.CSV": 2111,
                                     "events.2018.sample.tab": 3705}
    assert [(c["source_id"], c["year"], c["full_year"]) for c in manifest["coverage"]] == [
        ("gdelt", 2019, False), ("icews", 2018, False)]
    rows = duckdb.sql(f"select count(*) from read_parquet('{current}/mart_event_dyad_year.parquet')"
                      ).fetchall()[0][0]
    assert rows == manifest["marts"]["mart_event_dyad_year"] > 0
    assert not any((settings.events_marts_dir / ".build").iterdir())


def test_a_failing_gate_publishes_nothing(settings):
    first = run_all(settings)
    refresh.stage_convert(settings)
    run = refresh.new_run(settings, "duckdb")
    refresh.stage_build(settings, run)
    con = duckdb.connect(str(run.db_path))
    # a broken model: an annual count in a year covered for 15 minutes only
    con.execute("update mart_event_dyad_year set events = events_observed")
    con.close()
    with pytest.raises(ModelCheckError, match="annual count for a year"):
        refresh.stage_gate(settings, run)
    refresh.discard(run)
    assert (settings.events_marts_dir / "current").resolve() == first.resolve()


def test_an_unknown_engine_is_refused(settings):
    with pytest.raises(CoopError, match="choose one of duckdb, spark"):
        refresh.new_run(settings, "dask")

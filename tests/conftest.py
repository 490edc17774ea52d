"""Shared fixtures: a throw-away project root with synthetic raw files, real SQL and seeds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.settings import PROJECT_ROOT, Settings, get_settings
from tests.fixture_data import write_raw

os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a temporary project whose raw/ holds the synthetic fixture files."""
    raw_dir = tmp_path / "raw"
    write_raw(raw_dir)
    monkeypatch.setenv("COOP_ROOT", str(tmp_path))
    monkeypatch.setenv("COOP_SQL_DIR", str(PROJECT_ROOT / "sql"))
    monkeypatch.setenv("COOP_SEEDS_DIR", str(PROJECT_ROOT / "seeds"))
    monkeypatch.setenv("COOP_INDICES_FILE", str(PROJECT_ROOT / "indices.toml"))
    return get_settings()

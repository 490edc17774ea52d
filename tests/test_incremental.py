"""Incremental refreshes: no change builds nothing; a change rebuilds exactly what depends on it,
and the result equals a full rebuild of the same inputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from pipelines import incremental
from pipelines.publish import read_published_manifest
from pipelines.settings import PROJECT_ROOT, get_settings
from tests.fixture_data import default_text, write_raw
from tests.helpers import planned_refresh, publish, published_bytes


def _checksums(settings) -> dict[str, str]:
    manifest = read_published_manifest(settings)
    return {mart: info["content_checksum"] for mart, info in manifest["marts"].items()}


@pytest.fixture
def own_seeds(project, tmp_path, monkeypatch):
    """The project with a private copy of seeds/, so a test can edit one."""
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    monkeypatch.setenv("COOP_SEEDS_DIR", str(seeds))
    return get_settings()


def test_first_refresh_is_full_and_records_fingerprints(project):
    plan, published = planned_refresh(project)
    assert plan.mode == incremental.FULL
    assert plan.reasons == ("nothing is published yet",)
    manifest = read_published_manifest(project)
    assert manifest["plan"]["mode"] == "full"
    assert manifest["fingerprints"]["raw_mme__exercises"]
    assert (project.marts_dir / ".cache" / "work.duckdb").exists()


def test_nothing_changed_is_a_noop_that_publishes_nothing(project):
    planned_refresh(project)
    before = published_bytes(project)
    plan, published = planned_refresh(project)
    assert plan.mode == incremental.NOOP
    assert published is None
    assert "no input changed since release" in plan.reasons[0]
    assert published_bytes(project) == before


def test_a_changed_source_rebuilds_only_its_dependants_and_matches_a_full_rebuild(project):
    planned_refresh(project)
    # One more exercise participation row: a new release of MME, declared in the manifest.
    participants = default_text("participants").splitlines()
    extra = participants[-1].split(",")
    extra[0] = str(int(extra[0]) + 1000)  # a new row number
    write_raw(project.raw_dir, {"participants": "\n".join([*participants, ",".join(extra)]) + "\n"})

    plan, _ = planned_refresh(project)
    assert plan.mode == incremental.PARTIAL
    assert "raw/mme/participants.csv changed" in plan.reasons
    assert "stg_mme__participants" in plan.rebuild
    assert "mart_country_year" in plan.rebuild
    assert plan.compute_indices
    untouched = {
        "stg_atop__directed_dyad_year", "int_cow_igo_memberships_checked", "mart_countries"
    }
    assert not untouched & plan.rebuild, untouched & plan.rebuild
    manifest = read_published_manifest(project)
    assert manifest["plan"]["mode"] == "partial"
    assert "raw/mme/participants.csv changed" in manifest["plan"]["reasons"]
    partial = _checksums(project)

    plan, _ = planned_refresh(project, full=True)
    assert plan.mode == incremental.FULL
    assert _checksums(project) == partial


def test_a_changed_seed_reaching_only_the_indices_reuses_every_sql_model(own_seeds):
    settings = own_seeds
    planned_refresh(settings)
    before = _checksums(settings)
    blocs = settings.seeds_dir / "blocs.csv"
    blocs.write_text(blocs.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    plan, _ = planned_refresh(settings)
    assert plan.mode == incremental.PARTIAL
    assert "seeds/blocs.csv changed" in plan.reasons
    assert plan.compute_indices
    assert not {name for name in plan.rebuild if name.startswith(("stg_", "int_"))}
    assert _checksums(settings)["mart_country_year"] == before["mart_country_year"]


def test_a_changed_model_is_named_as_the_reason(project, tmp_path, monkeypatch):
    sql = tmp_path / "sql"
    shutil.copytree(PROJECT_ROOT / "sql", sql)
    monkeypatch.setenv("COOP_SQL_DIR", str(sql))
    settings = get_settings()
    planned_refresh(settings)
    model = sql / "marts" / "mart_non_state_participants.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    plan = incremental.plan_refresh(settings, read_published_manifest(settings))
    assert plan.mode == incremental.PARTIAL
    assert plan.reasons == ("sql/marts/mart_non_state_participants.sql changed",)
    assert plan.rebuild == {"mart_non_state_participants", incremental.REPORTS_KEY}


def test_without_the_cached_build_a_change_means_a_full_rebuild(project):
    planned_refresh(project)
    shutil.rmtree(project.marts_dir / ".cache")
    write_raw(project.raw_dir, {"igo_list": default_text("igo_list") + "\n"})
    plan = incremental.plan_refresh(project, read_published_manifest(project))
    assert plan.mode == incremental.FULL
    assert any("no reusable build" in reason for reason in plan.reasons)


def test_a_release_published_before_fingerprints_gets_a_full_rebuild(project):
    publish(project)
    manifest = read_published_manifest(project)
    manifest.pop("fingerprints")
    plan = incremental.plan_refresh(project, manifest)
    assert plan.mode == incremental.FULL
    assert plan.reasons == ("the published release records no fingerprints",)


def test_the_cli_decides_a_noop_without_starting_prefect(project):
    planned_refresh(project)
    before = published_bytes(project)
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api"}  # unreachable on purpose
    # On exit the process says which heavy libraries it loaded: a no-op decides from
    # fingerprints alone, so neither pandas (about 0.25 s of imports) nor Great Expectations
    # nor Prefect may be loaded on its path.
    probe = ("import atexit, sys\n"
             "atexit.register(lambda: print('loaded:', sorted(m for m in ('pandas', "
             "'great_expectations', 'prefect') if m in sys.modules), file=sys.stderr))\n"
             "from pipelines.cli import main\nmain()")
    result = subprocess.run(
        [sys.executable, "-c", probe, "refresh"],
        capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Nothing to refresh: no input changed since release" in result.stdout
    assert "loaded: []" in result.stderr, result.stderr[-2000:]
    assert published_bytes(project) == before
    log = (project.marts_dir / "refresh-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(log[-1])["outcome"] == "nothing to do"


def test_the_indices_fingerprint_covers_every_mart_the_indices_read():
    source = (PROJECT_ROOT / "pipelines" / "indices" / "stage.py").read_text(encoding="utf-8")
    read = set(re.findall(r"\b(?:from|join)\s+(mart_[a-z_]+)", source))
    assert read, "expected the indices stage to read marts"
    assert read <= set(incremental.INDICES_READ), read - set(incremental.INDICES_READ)


@pytest.fixture
def code_copy(tmp_path, monkeypatch):
    """A scratch copy of the coop package that the fingerprints read, to edit one area."""
    package = tmp_path / "pipelines"
    shutil.copytree(PROJECT_ROOT / "pipelines", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(incremental, "CODE_ROOT", package)
    return package


def _touch(path):
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_code_areas_are_mapped_to_the_stages_they_feed():
    assert incremental.code_area("templates/country.html.j2") == "reports"
    assert incremental.code_area("reports/pages.py") == "reports"
    assert incremental.code_area("indices/network.py") == "indices"
    assert incremental.code_area("bench/runner.py") is None
    assert incremental.code_area("validation.py") == "gate"
    assert incremental.code_area("models.py") == incremental.CODE_CORE
    assert incremental.code_area("sources/atop.py") == incremental.CODE_CORE


def test_a_template_edit_re_renders_the_reports_only(project, code_copy):
    planned_refresh(project)
    _touch(code_copy / "templates" / "country.html.j2")
    plan = incremental.plan_refresh(project, read_published_manifest(project))
    assert plan.mode == incremental.REPORTS
    assert plan.rebuild == {incremental.REPORTS_CODE_KEY, incremental.REPORTS_KEY}


def test_a_bench_edit_rebuilds_nothing(project, code_copy):
    planned_refresh(project)
    _touch(next((code_copy / "bench").glob("*.py")))
    plan = incremental.plan_refresh(project, read_published_manifest(project))
    assert plan.mode == incremental.NOOP


def test_an_index_module_edit_rebuilds_the_indices_and_what_reads_them(project, code_copy):
    planned_refresh(project)
    _touch(code_copy / "indices" / "network.py")
    plan = incremental.plan_refresh(project, read_published_manifest(project))
    assert plan.mode == incremental.PARTIAL
    assert plan.compute_indices
    assert {"mart_network", "mart_cooperation_index", "mart_partnership"} <= plan.rebuild
    assert not {"mart_country_year", "mart_dyad_year", "int_cow_igo_dyad_years_paired",
                "stg_atop__directed_dyad_years"} & plan.rebuild
    assert "coop's indices code (pipelines/) changed" in plan.reasons


def test_a_gate_edit_re_runs_the_gate_on_the_cached_build(project, code_copy):
    planned_refresh(project)
    _touch(code_copy / "validation.py")
    plan = incremental.plan_refresh(project, read_published_manifest(project))
    assert plan.mode == incremental.PARTIAL
    assert plan.rebuild == {incremental.GATE_CODE_KEY}
    assert not plan.compute_indices
    before = _checksums(project)
    plan, published = planned_refresh(project)  # runs the gate, rebuilds no model
    assert published is not None
    assert read_published_manifest(project)["build"]["models_built"] == 0
    assert _checksums(project) == before


def test_a_core_edit_is_a_full_rebuild(project, code_copy):
    planned_refresh(project)
    _touch(code_copy / "models.py")
    plan = incremental.plan_refresh(project, read_published_manifest(project))
    assert plan.mode == incremental.FULL

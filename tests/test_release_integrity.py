"""Nothing done through coop's commands or files changes, loses or misstates the published
release without a message that says so (issue 16): `coop sql` and `coop report -o` cannot write
published files; a release changed behind coop's back is noticed by `coop status` and rebuilt by
the refresh; stale reports are re-rendered; pruning follows the order of publication; a full
disk and a cut log line are reported as such; a copied project refuses to drive the original;
the lock is taken before Prefect loads."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines import incremental, refresh
from pipelines.cli import main
from pipelines.errors import DiskFullError
from pipelines.publish import (
    read_published_manifest,
    release_problems,
    reports_problem,
    reports_stamp,
)
from pipelines.settings import PROJECT_ROOT
from tests.helpers import build_work_db, planned_refresh, publish, published_bytes


def invoke(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def _release_files(settings) -> dict[str, bytes]:
    """Every file under marts/releases/ (what the links point to), by relative path."""
    return {str(path.relative_to(settings.releases_dir)): path.read_bytes()
            for path in sorted(settings.releases_dir.rglob("*")) if path.is_file()}


# --- coop sql cannot write anything -------------------------------------------------------


def test_coop_sql_cannot_write_any_file_least_of_all_a_published_one(project, tmp_path,
                                                                      monkeypatch):
    publish(project)
    monkeypatch.chdir(project.root)  # relative paths below resolve into the project
    before, files_before = published_bytes(project), _release_files(project)
    outside = tmp_path / "outside"
    outside.mkdir()
    statements = [
        "copy (select 1 as a) to 'marts/mart_countries.parquet' (format parquet)",
        "copy (select 1 as a) to 'marts/current/coop.duckdb'",
        f"copy (select 1 as a) to '{project.releases_dir}/x.csv'",
        "copy mart_countries to 'reports/index.html' (format csv)",
        f"copy (select 1 as a) to '{outside}/result.csv'",
        "export database 'marts'",
        "attach 'marts/coop.duckdb' as rw (read_write)",
        f"attach '{outside}/new.duckdb' as other",
        "install httpfs",
        "load httpfs",
        "set enable_external_access = true",
        "set lock_configuration = false",
        "select * from read_csv('/etc/passwd')",
        "select * from read_parquet('marts/mart_countries.parquet')",
    ]
    for statement in statements:
        result = invoke("sql", statement)
        assert result.exit_code == 1, (statement, result.output)
        assert "Traceback" not in result.output, statement
        assert "coop sql" in result.output or "query failed" in result.output, statement
    assert published_bytes(project) == before
    assert _release_files(project) == files_before
    assert list(outside.iterdir()) == []
    assert release_problems(project) == []
    # Reading the marts still works, with variables, in the same sandbox.
    result = invoke("sql", "--csv", "set variable c = 704; select count(*) as n "
                                    "from mart_countries where ccode = getvariable('c')")
    assert result.exit_code == 0 and result.output == "n\n1\n", result.output


def test_copy_to_a_file_explains_how_to_keep_results(project):
    publish(project)
    result = invoke("sql", "copy (select 1) to 'x.csv'")
    assert result.exit_code == 1
    assert "--csv" in result.output and "cannot read or write other files" in result.output


def test_an_interrupted_query_is_a_message_not_a_traceback(project, monkeypatch):
    """Ctrl-C during a long query: SIGINT delivered while the query runs."""
    from pipelines import query

    publish(project)
    running = threading.Event()
    real_connect = query.connect_sandboxed

    def connect(path):
        con = real_connect(path)
        running.set()
        return con

    monkeypatch.setattr(query, "connect_sandboxed", connect)

    def press_ctrl_c_once():  # as a user does, once the query has started
        running.wait(60)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    presser = threading.Thread(target=press_ctrl_c_once, daemon=True)
    presser.start()
    result = invoke("sql", "select count(*) from range(1000000000000) as a, range(10) as b "
                           "where a.range % 7 = b.range")
    presser.join(10)
    assert result.exit_code == 130, result.output
    assert "query interrupted" in result.output
    assert result.exc_info is None or result.exc_info[0] is SystemExit


def test_closing_waits_while_duckdb_reports_the_connection_busy():
    """After an interrupt DuckDB 2 may report the connection busy for a moment: closing waits
    and retries instead of raising ResourceInUseException (a Ctrl-C must end in a message)."""
    import duckdb

    from pipelines.query import _close

    class Busy:
        def __init__(self, refusals):
            self.refusals, self.calls = refusals, 0

        def close(self):
            self.calls += 1
            if self.calls <= self.refusals:
                raise duckdb.ResourceInUseException("connection is busy with another call")

    briefly = Busy(refusals=2)
    _close(briefly)
    assert briefly.calls == 3
    # A connection that stays busy is reported once the wait is over, not waited on forever.
    stuck = Busy(refusals=10**9)
    with pytest.raises(duckdb.ResourceInUseException):
        _close(stuck, wait_seconds=0.2)
    assert 2 <= stuck.calls < 100


# --- report -o and register template refuse published targets ----------------------------


def test_report_output_and_register_template_refuse_published_targets(project, tmp_path,
                                                                      monkeypatch):
    publish(project)
    monkeypatch.chdir(project.root)
    before, files_before = published_bytes(project), _release_files(project)
    project.reports_dir.mkdir(exist_ok=True)
    (tmp_path / "innocent.html").symlink_to(project.marts_dir / "coop.duckdb")
    targets = ["marts/coop.duckdb", "marts/current/mart_countries.parquet", "marts/new.html",
               str(project.reports_dir / "index.html"), str(tmp_path / "innocent.html")]
    for target in targets:
        result = invoke("report", "--standalone", "KAZ", "-o", target)
        assert result.exit_code == 1, (target, result.output)
        assert "where the published release" in result.output, target
    for target in ["marts/facts.csv", "reports/facts.xlsx"]:
        result = invoke("register", "template", target)
        assert result.exit_code == 1 and "where the published release" in result.output
        assert not Path(target).exists()
    assert published_bytes(project) == before and _release_files(project) == files_before
    assert release_problems(project) == []


# --- verification of the published release against its manifest --------------------------


def _replace_link_with_file(settings):
    link = settings.marts_dir / "mart_countries.parquet"
    link.unlink()
    duckdb.connect().execute("copy (select 1 as ccode) to $p (format parquet)",
                             {"p": str(link)})
    return "mart_countries.parquet is a file, not the link to the release"


def _overwrite_database(settings):
    (settings.marts_dir / "coop.duckdb").write_text("<html>not a database</html>")
    return "coop.duckdb has 27 bytes, the manifest says"


def _same_size_other_bytes(settings):
    path = settings.current_release / "mart_dyad_year.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return "mart_dyad_year.parquet differs from the manifest's sha256"


def _link_elsewhere(settings):
    elsewhere = settings.root / "elsewhere.parquet"
    shutil.copyfile(settings.marts_dir / "mart_network.parquet", elsewhere)
    link = settings.marts_dir / "mart_network.parquet"
    link.unlink()
    link.symlink_to(elsewhere)
    return f"mart_network.parquet points to {elsewhere}, not to current/mart_network.parquet"


def _stray_link(settings):
    (settings.marts_dir / "mart_extra.parquet").symlink_to("current/mart_countries.parquet")
    return "mart_extra.parquet is not part of release"


def _manifest_replaced(settings):
    link = settings.marts_dir / "manifest.json"
    manifest = json.loads(link.read_text())
    manifest["marts"]["mart_countries"]["rows"] = 1
    link.unlink()
    link.write_text(json.dumps(manifest))
    return "manifest.json is a file, not the link to the release"


def _current_elsewhere(settings):
    older = sorted(settings.releases_dir.iterdir())[0]
    (settings.marts_dir / "current").unlink()
    (settings.marts_dir / "current").symlink_to(f"releases/{older.name}/../{older.name}")
    return "current points to releases/"


@pytest.mark.parametrize("tamper", [
    _replace_link_with_file, _overwrite_database, _same_size_other_bytes, _link_elsewhere,
    _stray_link, _manifest_replaced, _current_elsewhere,
], ids=lambda function: function.__name__.strip("_"))
def test_a_release_changed_behind_coops_back_is_reported_and_rebuilt(project, tamper):
    planned_refresh(project)
    expected = tamper(project)
    problems = release_problems(project)
    assert any(expected in problem for problem in problems), problems
    result = invoke("status")
    assert result.exit_code == 1
    assert "does not match its manifest" in result.output and expected in result.output
    plan = incremental.plan_refresh(project, read_published_manifest(project))
    assert plan.mode == incremental.FULL  # not "nothing to refresh: the published marts stand"
    assert any(expected in reason for reason in plan.reasons), plan.reasons
    planned_refresh(project)
    assert release_problems(project) == []
    assert invoke("status").exit_code == 0
    con = duckdb.connect(str(project.published_db), read_only=True)
    assert con.execute("select count(*) from mart_countries").fetchone()[0] > 1
    con.close()
    plan = incremental.plan_refresh(project, read_published_manifest(project))
    assert plan.mode == incremental.NOOP


def test_status_says_the_files_match_and_the_manifest_records_sizes_and_checksums(project):
    import hashlib

    publish(project)
    manifest = read_published_manifest(project)
    db = project.current_release / "coop.duckdb"
    assert manifest["files"]["coop.duckdb"] == {
        "bytes": db.stat().st_size, "sha256": hashlib.sha256(db.read_bytes()).hexdigest()}
    assert set(manifest["files"]) == {"coop.duckdb"} | {f"{mart}.parquet"
                                                        for mart in manifest["marts"]}
    result = invoke("status")
    assert result.exit_code == 0, result.output
    assert "Its files match the manifest" in result.output


# --- reports record the release they show --------------------------------------------------


def test_reports_of_an_older_release_are_re_rendered(project):
    from pipelines.report import render_reports

    planned_refresh(project)
    render_reports(project)
    first = read_published_manifest(project)["run_id"]
    assert reports_stamp(project) == {"run_id": first}
    assert reports_problem(project, first) is None
    # A new release is swapped in, then the refresh stops before its report stage.
    planned_refresh(project, full=True)
    second = read_published_manifest(project)["run_id"]
    plan = incremental.plan_refresh(project, read_published_manifest(project))
    assert plan.mode == incremental.REPORTS
    assert plan.reasons == (f"the reports were rendered from release {first}, not from the "
                            f"published release {second} (a refresh stopped before it "
                            f"finished them)",)
    result = invoke("status")
    assert "re-render" in result.output and first in result.output
    result = invoke("report")
    assert result.exit_code == 0, result.output
    assert reports_stamp(project) == {"run_id": second}
    assert incremental.plan_refresh(project, read_published_manifest(project)).mode == \
        incremental.NOOP


# --- publishing under faults ---------------------------------------------------------------


def test_clock_set_back_never_prunes_the_release_just_replaced(project, monkeypatch):
    from datetime import UTC, datetime

    # Two readings per publish (run id, publication time); the last run's clock was set back.
    clock = iter(stamp for stamp in ["20300101T000000000000Z", "20300102T000000000000Z",
                                     "20300103T000000000000Z", "19990101T000000000000Z"]
                 for _ in range(2))

    class Clock:
        @staticmethod
        def now(tz=None):
            return datetime.strptime(next(clock), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)

    monkeypatch.setattr(refresh, "datetime", Clock)
    run_ids = [os.path.basename(publish(project)["release"]) for _ in range(4)]
    kept = sorted(path.name for path in project.releases_dir.iterdir())
    # releases_to_keep = 3: the first-published goes, the three latest-published stay,
    # although the newest has the "oldest" name.
    assert set(kept) == set(run_ids[1:]), kept
    assert os.readlink(project.current_release) == f"releases/{run_ids[-1]}"
    assert [json.loads((project.releases_dir / run_id / "manifest.json").read_text())
            ["publish_sequence"] for run_id in run_ids[1:]] == [1, 2, 3]


def test_disk_full_while_publishing_says_so_and_a_retry_starts_clean(project, monkeypatch):
    from pipelines import publish as publish_module

    publish(project)
    before = published_bytes(project)
    run, summary = build_work_db(project)
    real_export = publish_module._export
    calls = []

    def export_until_the_disk_fills(work_db, release_dir):
        calls.append(release_dir)
        if len(calls) == 1:
            release_dir.mkdir(parents=True)
            (release_dir / "coop.duckdb").write_bytes(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_export(work_db, release_dir)

    monkeypatch.setattr(publish_module, "_export", export_until_the_disk_fills)
    with pytest.raises(DiskFullError, match="disk holding .* is full.*nothing was published"):
        refresh.stage_publish(project, run, summary)
    assert not run.release_dir.exists()  # the partial export is gone
    assert published_bytes(project) == before
    # A retry (Prefect's, or the next attempt) must not fail on the leftover directory.
    run.release_dir.mkdir()
    (run.release_dir / "coop.duckdb").write_bytes(b"left by a crash")
    published = refresh.stage_publish(project, run, summary)
    assert os.path.basename(published["release"]) == run.run_id
    assert release_problems(project) == []


def test_disk_full_while_loading_is_not_called_a_csv_problem(project):
    from pipelines.raw_manifest import read_manifest
    from pipelines.sources import ADAPTERS
    from pipelines.sources.base import load_csv

    spec = ADAPTERS["cow_igo"].FILES[0]
    raw_file = read_manifest(project.sources_manifest)["cow_igo"].file(spec.file_name)

    class FullDisk:
        """A connection whose database file cannot grow (what DuckDB raises then)."""

        def __init__(self):
            self.con = duckdb.connect()

        def execute(self, query, *args):
            if "read_csv" in query:
                raise duckdb.IOException(
                    'IO Error: Could not write file "work.duckdb.wal": No space left on device')
            return self.con.execute(query, *args)

    with pytest.raises(DiskFullError, match=r"disk is full: .*could not be loaded"):
        load_csv(FullDisk(), raw_file, spec)


def test_a_log_line_cut_by_a_full_disk_is_reported_not_a_crash(project):
    publish(project)
    incremental.append_log(project, {"mode": "full", "outcome": "published", "reasons": []})
    log = project.marts_dir / incremental.LOG_NAME
    with log.open("a", encoding="utf-8") as handle:
        handle.write('{"at": "2026-11-30T10:00:00+00:00", "mode": "ful')  # cut by ENOSPC
    result = invoke("status")
    assert result.exit_code == 0, result.output
    assert "unreadable" in result.output and "line 2" in result.output
    # The next entry starts on a line of its own.
    incremental.append_log(project, {"mode": "noop", "outcome": "nothing to do", "reasons": []})
    entries = incremental.read_log(project)
    assert [entry["outcome"] for entry in entries] == ["published", "unreadable",
                                                       "nothing to do"]


# --- the lock first; a copied project -----------------------------------------------------


def test_a_second_refresh_is_refused_before_prefect_loads(project):
    from pipelines.lock import writer_lock

    probe = ("import atexit, sys\n"
             "atexit.register(lambda: print('prefect loaded:', 'prefect' in sys.modules))\n"
             "from pipelines.cli import main\nmain()\n")
    with writer_lock(project.lock_file):
        result = subprocess.run([sys.executable, "-c", probe, "refresh", "--full"],
                                cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                                check=False, env={**os.environ, "PREFECT_API_URL":
                                                  "http://127.0.0.1:9/api"})
    assert result.returncode == 1
    assert f"another refresh is running (pid {os.getpid()}" in result.stderr
    assert "prefect loaded: False" in result.stdout


def test_the_writer_lock_is_reentrant_in_one_process_and_exclusive_across_processes(project):
    from pipelines.lock import holds_lock, writer_lock

    probe = ("import sys; from pathlib import Path; from pipelines.lock import writer_lock\n"
             "from pipelines.errors import RefreshLockedError\n"
             "try:\n    with writer_lock(Path(sys.argv[1])): print('got it')\n"
             "except RefreshLockedError as exc: print(exc)\n")
    with writer_lock(project.lock_file):
        with writer_lock(project.lock_file):
            assert holds_lock(project.lock_file)
        assert holds_lock(project.lock_file)
        other = subprocess.run([sys.executable, "-c", probe, str(project.lock_file)],
                               cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
        assert "another refresh is running" in other.stdout
    assert not holds_lock(project.lock_file)
    other = subprocess.run([sys.executable, "-c", probe, str(project.lock_file)],
                           cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert other.stdout.strip() == "got it"


def test_a_copied_project_refuses_to_drive_the_original(tmp_path):
    """`cp -r coop copy && cd copy && .venv/bin/coop refresh`: the copied script starts the
    original's Python, which would publish into the original's marts/."""
    copy = tmp_path / "copy"
    (copy / ".venv" / "bin").mkdir(parents=True)
    (copy / "pipelines").mkdir()
    shutil.copyfile(PROJECT_ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copyfile(PROJECT_ROOT / "pipelines" / "settings.py",
                    copy / "pipelines" / "settings.py")
    script = copy / ".venv" / "bin" / "coop"
    shutil.copyfile(PROJECT_ROOT / ".venv" / "bin" / "coop", script)
    script.chmod(0o755)
    marts_before = sorted(os.listdir(PROJECT_ROOT / "marts")) if (
        PROJECT_ROOT / "marts").is_dir() else []
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOP_")}
    for command in (["refresh"], ["status"], ["sql", "select 1"]):
        result = subprocess.run([".venv/bin/coop", *command], cwd=copy, env=env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"runs the code of {PROJECT_ROOT}, not of {copy}" in result.stderr
        assert "rm -rf .venv .tools && make install" in result.stderr
    assert (sorted(os.listdir(PROJECT_ROOT / "marts")) if (PROJECT_ROOT / "marts").is_dir()
            else []) == marts_before
    # The original's own environment, run in the original, is fine.
    result = subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "coop"), "status", "--help"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr

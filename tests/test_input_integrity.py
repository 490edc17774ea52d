"""Issue 16, input files: what coop reads must be what it verified, from inside raw/ only, and
every problem must be a message naming the file, never a traceback or a silent change.

Each test reproduces one defect found on main (the comment says what main did).  Files are
the synthetic fixture files (tests/fixture_data.py) and registers written here (SYNTHETIC).
"""

from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import pathlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import incremental
from pipelines.errors import DiskFullError, InputFileError
from pipelines.indices.config import IndexDefinitionError, load_definition
from pipelines.loading import load_sources
from pipelines.raw_manifest import read_manifest
from pipelines.settings import PROJECT_ROOT
from pipelines.sources import base, ipi, register
from pipelines.sources.base import load_csv
from tests.fixture_data import default_text
from tests.helpers import build_work_db, planned_refresh, publish, published_bytes, rows

IPI = "ipi/contributor_month.csv"
SECRET = "root:x:0:0:secret-first-line"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_register(path: Path, count: int) -> Path:
    """One synthetic fact: Uzbekistan held `count` exercises with Kazakhstan on 2012-05-01."""
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {"date": "2012-05-01", "year": "2012", "country": "UZB", "partner_type": "state",
              "partner": "KAZ", "family": "exercise", "count": str(count),
              "source_citation": "Synthetic test source", "confidence": "reported"}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, register.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerow(values)
    return path


def set_manifest_path(settings, new_path: str, pinned: Path | None = None) -> None:
    """Point the IPI entry at `new_path`; with `pinned`, also pin that file's sha256 (as an
    analyst who ran sha256sum on it would), so the checksum check cannot be what stops it."""
    text = settings.sources_manifest.read_text(encoding="utf-8")
    if pinned is not None:
        text = text.replace(sha256((settings.raw_dir / IPI).read_bytes()),
                            sha256(pinned.read_bytes()))
    settings.sources_manifest.write_text(text.replace(f'path = "{IPI}"', f'path = "{new_path}"'),
                                         encoding="utf-8")


# --- (4) verify and load the same bytes -------------------------------------------------------

def test_a_file_replaced_while_it_is_loaded_is_loaded_as_verified(project, monkeypatch):
    # main verified the path, then read the path again: a file rewritten in between (here
    # in place, as `cp` does) was loaded under the pinned checksum.
    path = project.raw_dir / IPI
    original = path.read_bytes()
    pinned = sha256(original)
    forged = default_text("contributor_month") + "2014-03-31,Uzbekistan,UZB,704,999,,\n"
    real_check_header = base.check_header

    def swap_then_check(*args, **kwargs):
        path.write_text(forged, encoding="utf-8")
        return real_check_header(*args, **kwargs)

    monkeypatch.setattr(base, "check_header", swap_then_check)
    con = duckdb.connect()
    [spec] = ipi.FILES
    count, checksum = load_csv(con, read_manifest(project.sources_manifest)["ipi"].file(
        spec.file_name), spec)

    assert path.read_text(encoding="utf-8") == forged  # the swap did happen
    assert checksum == pinned
    expected_rows = original.decode().count("\n") - 1
    assert count == expected_rows
    assert rows(con, f"select count(*) from {spec.table} where troops = '999'") == [(0,)]
    assert rows(con, f"select distinct _file_sha256 from {spec.table}") == [(pinned,)]


def test_a_register_file_changed_between_plan_and_load_is_refused_and_restoring_rebuilds(
    project,
):
    # main loaded whatever was on disk at load time but recorded the fingerprint the plan had
    # taken earlier: the wrong count stayed published, and restoring the file was a no-op.
    facts = project.raw_dir / "register" / "facts.csv"
    write_register(facts, 1)
    planned_refresh(project, full=True)
    query = "select count from mart_register_facts"

    write_register(facts, 2)
    plan = incremental.plan_refresh(project, _published(project))
    assert plan.mode == incremental.PARTIAL
    write_register(facts, 9)  # saved again while the refresh runs
    before = published_bytes(project)
    with pytest.raises(InputFileError, match=r"raw/register/: changed while this refresh"):
        build_work_db(project, plan)
    assert published_bytes(project) == before

    write_register(facts, 2)  # the analyst's intended file
    plan, _ = planned_refresh(project)
    assert plan.mode == incremental.PARTIAL
    con = duckdb.connect(str(project.published_db), read_only=True)
    assert rows(con, query) == [(2,)]
    con.close()


def _published(settings):
    from pipelines.publish import read_published_manifest

    return read_published_manifest(settings)


def test_the_load_reports_the_fingerprints_of_the_bytes_it_loaded(project):
    facts = write_register(project.raw_dir / "register" / "facts.csv", 3)
    con = duckdb.connect()
    summary = load_sources(con, project)
    external, _origin = incremental.read_inputs(project)
    assert summary.fingerprints[incremental.UNCLAIMED_RAW] == external[incremental.UNCLAIMED_RAW]
    assert summary.fingerprints["raw_ipi__contributor_month"] == sha256(
        (project.raw_dir / IPI).read_bytes())
    assert summary.checksums["register/facts.csv"] == sha256(facts.read_bytes())


# --- (5) paths stay inside raw/ --------------------------------------------------------------

@pytest.mark.parametrize("escape", ["../outside.csv", "ipi/../../outside.csv", "DEEP",
                                    "ABSOLUTE"])
def test_a_manifest_path_outside_raw_is_refused_without_reading_it(project, escape):
    # main read ../../../../etc/passwd and echoed its first line (as a "column" of the header)
    # into the error, the refresh log and `coop status`; an absolute path gave a traceback.
    outside = project.raw_dir.parent / "outside.csv"
    outside.write_text(SECRET + "\n", encoding="utf-8")
    deep = "../" * len(project.raw_dir.parts) + str(outside).lstrip("/")
    path = {"ABSOLUTE": str(outside), "DEEP": deep}.get(escape, escape)
    set_manifest_path(project, path, pinned=outside)

    with pytest.raises(InputFileError) as error:
        load_sources(duckdb.connect(), project)

    message = str(error.value)
    assert "raw/" in message or "absolute" in message
    assert "secret-first-line" not in message and "root:" not in message


def test_a_symlink_in_raw_that_leads_outside_is_refused(project):
    outside = project.raw_dir.parent / "private.csv"
    outside.write_text(SECRET + "\n", encoding="utf-8")
    target = project.raw_dir / IPI
    target.unlink()
    target.symlink_to(outside)

    with pytest.raises(InputFileError, match="leads outside") as error:
        load_sources(duckdb.connect(), project)
    assert "secret-first-line" not in str(error.value)


def test_a_symlink_made_after_the_manifest_was_read_is_refused_where_the_file_is_opened(project):
    raw_file = read_manifest(project.sources_manifest)["ipi"].file("contributor_month")
    outside = project.raw_dir.parent / "private.csv"
    outside.write_bytes((project.raw_dir / IPI).read_bytes())  # even the right bytes
    raw_file.path.unlink()
    raw_file.path.symlink_to(outside)
    with pytest.raises(InputFileError, match="leads outside"):
        load_csv(duckdb.connect(), raw_file, ipi.FILES[0])


def test_a_register_symlink_that_leads_outside_is_refused(project):
    outside = write_register(project.raw_dir.parent / "elsewhere" / "facts.csv", 1)
    (project.raw_dir / "register").mkdir()
    (project.raw_dir / "register" / "facts.csv").symlink_to(outside)
    with pytest.raises(InputFileError, match="a symlink that leads outside"):
        load_sources(duckdb.connect(), project)
    with pytest.raises(InputFileError, match="a symlink that leads outside"):
        incremental.read_inputs(project)


def test_a_manifest_path_naming_a_directory_is_a_message(project):
    set_manifest_path(project, "ipi")
    with pytest.raises(InputFileError, match="is a directory"):
        load_sources(duckdb.connect(), project)


def test_two_files_of_a_source_with_one_name_are_refused(project):
    text = project.sources_manifest.read_text(encoding="utf-8")
    project.sources_manifest.write_text(
        text.replace('name = "ccode_iso3_crosswalk"', 'name = "state_spells"'), encoding="utf-8")
    with pytest.raises(InputFileError, match="lists two files named 'state_spells'"):
        read_manifest(project.sources_manifest)


# --- (8) what a refresh hashes ---------------------------------------------------------------

def test_a_stray_file_in_raw_is_not_read_when_planning(project, monkeypatch):
    # main hashed every file under raw/ on every plan, a stray 1.5 GB download included.
    before, _ = incremental.read_inputs(project)
    stray = project.raw_dir / "downloads" / "huge.bin"
    stray.parent.mkdir()
    stray.write_bytes(b"\0" * 1024)
    real_open = pathlib.Path.open

    def refuse_stray(self, *args, **kwargs):
        assert self.name != "huge.bin", "the stray file was opened"
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", refuse_stray)  # read_bytes() opens through it
    after, _ = incremental.read_inputs(project)
    assert after == before
    # A register file, by contrast, is an input: adding one changes the fingerprint.
    write_register(project.raw_dir / "register" / "facts.csv", 1)
    assert incremental.read_inputs(project)[0][incremental.UNCLAIMED_RAW] != before[
        incremental.UNCLAIMED_RAW]


def test_an_unchanged_register_is_not_parsed_or_inserted_again(project, monkeypatch):
    facts = write_register(project.raw_dir / "register" / "facts.csv", 4)
    con = duckdb.connect()
    register.load_files(con, [facts])
    first = rows(con, f"select * from {register.TABLE}")
    inserts = []
    monkeypatch.setattr(register, "_insert", lambda *args: inserts.append(args))
    register.load_files(con, [facts])
    assert inserts == [] and rows(con, f"select * from {register.TABLE}") == first
    write_register(facts, 5)
    register.load_files(con, [facts])
    assert len(inserts) == 1


def test_register_rows_are_inserted_with_their_lineage(tmp_path):
    facts = write_register(tmp_path / "register" / "a.csv", 7)
    other = write_register(tmp_path / "register" / "b.csv", 8)
    con = duckdb.connect()
    register.load_files(con, [facts, other])
    assert rows(con, f"select _source_id, _source_file, _file_sha256, _file_order, _row_number, "
                     f"count, date from {register.TABLE} order by _file_order") == [
        ("register", "a.csv", sha256(facts.read_bytes()), 1, 1, "7", "2012-05-01"),
        ("register", "b.csv", sha256(other.read_bytes()), 2, 1, "8", "2012-05-01"),
    ]
    assert dict(rows(con, f"select column_name, column_type from (describe {register.TABLE})"))[
        "count"] == "VARCHAR"


# --- (9) messages, not tracebacks ------------------------------------------------------------

def _deny(monkeypatch, name: str) -> None:
    real_open = pathlib.Path.open

    def denied(self, *args, **kwargs):
        if self.name == name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", denied)


def test_an_unreadable_raw_file_is_a_message(project, monkeypatch):
    # main: PermissionError traceback from the plan's hashing and from the loader.  (The tests
    # run as root, for whom chmod 000 changes nothing, so the denial is simulated.)
    _deny(monkeypatch, "contributor_month.csv")
    external, _ = incremental.read_inputs(project)
    assert external["raw_ipi__contributor_month"] == incremental.UNREADABLE
    with pytest.raises(InputFileError, match=r"contributor_month\.csv: cannot be read "
                                             r"\(Permission denied\)\. Check the file's perm"):
        load_sources(duckdb.connect(), project)


def test_an_unreadable_register_file_is_a_message(project, monkeypatch):
    facts = write_register(project.raw_dir / "register" / "facts.csv", 1)
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda self: (_ for _ in ()).throw(
        PermissionError(errno.EACCES, "Permission denied")))
    with pytest.raises(InputFileError, match=r"facts\.csv: cannot be read \(Permission denied"):
        register.read_file(facts)


class _FullDisk:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_while_copying_for_the_load_says_disk_full(project, monkeypatch):
    # main: "could not be parsed as CSV" for a disk that filled up while loading.
    real_open = pathlib.Path.open

    def full_when_writing(self, mode="r", *args, **kwargs):
        if "w" in mode and ".verified-" in str(self):
            return _FullDisk()
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", full_when_writing)
    with pytest.raises(DiskFullError, match="the disk is full") as error:
        load_sources(duckdb.connect(), project)
    assert "parsed as CSV" not in str(error.value)


def test_disk_full_while_inserting_the_register_says_disk_full(tmp_path):
    facts = write_register(tmp_path / "register" / "facts.csv", 1)

    class FullConnection:
        def __init__(self):
            self.con = duckdb.connect()

        def __getattr__(self, name):
            return getattr(self.con, name)

        def execute(self, query, *args):
            if query.startswith("insert"):
                raise duckdb.IOException("IO Error: Could not write file: No space left on device")
            return self.con.execute(query, *args)

    with pytest.raises(DiskFullError, match="the disk is full: the register"):
        register.load_files(FullConnection(), [facts])


@pytest.mark.parametrize("which", ["sources.toml", "indices.toml", "reports.toml"])
def test_a_toml_file_with_a_byte_order_mark_is_accepted(project, tmp_path, which):
    # Windows editors save UTF-8 with a byte-order mark; main refused such a file as invalid
    # TOML.  The mark carries nothing, so it is skipped.
    if which == "sources.toml":
        path = project.sources_manifest
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
        assert set(read_manifest(path)) >= {"ipi", "atop"}
    elif which == "indices.toml":
        path = tmp_path / "indices.toml"
        path.write_bytes(codecs.BOM_UTF8 + (PROJECT_ROOT / "indices.toml").read_bytes())
        plain = load_definition(PROJECT_ROOT / "indices.toml")
        assert load_definition(path) == plain
    else:
        from pipelines.reports.config import read_reports_config

        path = tmp_path / "reports.toml"
        path.write_bytes(codecs.BOM_UTF8 + (PROJECT_ROOT / "reports.toml").read_bytes())
        assert read_reports_config(path).source == path


def test_a_toml_file_in_another_encoding_is_a_message(project):
    project.sources_manifest.write_bytes(
        project.sources_manifest.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(InputFileError, match="sources.toml: not valid TOML"):
        read_manifest(project.sources_manifest)


def test_a_text_column_named_as_an_indicator_is_a_message():
    # main: "ValueError: could not convert string to float" from deep in the indices stage.
    from pipelines.indices.normalise import normalise_panel

    definition = load_definition(PROJECT_ROOT / "indices.toml")
    panel = pd.DataFrame({ind.name: pd.Series([1.0, 2.0]) for ind in definition.indicators})
    first = definition.indicators[0].name
    panel[first] = ["USA", "RUS"]
    with pytest.raises(IndexDefinitionError, match=rf"indicator\(s\) {first} name non-numeric"):
        normalise_panel(panel, definition.indicators, "minmax")


def test_a_published_release_survives_a_refused_input(project):
    publish(project)
    before = published_bytes(project)
    outside = project.raw_dir.parent / "outside.csv"
    outside.write_text(SECRET + "\n", encoding="utf-8")
    set_manifest_path(project, "../outside.csv", pinned=outside)
    with pytest.raises(InputFileError) as error:
        publish(project)
    assert "secret-first-line" not in str(error.value)
    assert published_bytes(project) == before

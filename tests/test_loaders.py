"""Raw files: checksums, headers, encodings and lineage, on files written by the tests."""

from __future__ import annotations

import gzip

import duckdb
import pytest

from pipelines.errors import InputFileError
from pipelines.loading import load_sources
from pipelines.raw_manifest import read_manifest
from pipelines.sources.base import CsvSpec, load_csv


def load(settings):
    con = duckdb.connect()
    summary = load_sources(con, settings)
    return con, summary


def test_every_source_loads_with_lineage_columns(project):
    con, summary = load(project)
    assert summary.rows_by_table["raw_atop__directed_dyad_year"] == 10
    assert summary.rows_by_table["raw_mme__participants"] == 11  # 2 + 3 + 3 + 3
    lineage = con.execute(
        "select _source_id, _source_file, _row_number, ccode1, ccode2 "
        "from raw_atop__directed_dyad_year order by _row_number limit 2"
    ).fetchall()
    assert lineage == [("atop", "atop.csv.gz", 1, "704", "365"),
                       ("atop", "atop.csv.gz", 2, "365", "704")]
    checksum = con.execute("select distinct _file_sha256 from raw_ipi__contributor_month"
                           ).fetchall()
    expected = read_manifest(project.sources_manifest)["ipi"].files[0].sha256
    assert checksum == [(expected,)]


def test_row_numbers_follow_file_order_across_many_chunks(tmp_path):
    # 50,000 rows span many DuckDB vectors; the row number must still be the file position.
    path = tmp_path / "big.csv.gz"
    body = "a,b\n" + "".join(f"{i},{i * 7}\n" for i in range(1, 50_001))
    path.write_bytes(gzip.compress(body.encode()))
    from hashlib import sha256

    from pipelines.raw_manifest import RawFile

    raw_file = RawFile("test", "big", path, sha256(path.read_bytes()).hexdigest())
    con = duckdb.connect()
    load_csv(con, raw_file, CsvSpec("big", "raw_big", ("a", "b")))
    mismatches = con.execute("select count(*) from raw_big where _row_number <> a::int").fetchone()
    assert mismatches == (0,)


def test_missing_file_is_refused_by_name(project):
    (project.raw_dir / "mme" / "participants.csv").unlink()
    with pytest.raises(InputFileError, match=r"participants\.csv: missing"):
        load(project)


def test_changed_file_is_refused_by_name(project):
    path = project.raw_dir / "cow_igo" / "igo_list.csv"
    path.write_text(path.read_text() + "XXX,x,x,1,1,,0,0,0,,1,1,0,0,0,xxx\n")
    with pytest.raises(InputFileError, match=r"igo_list\.csv: checksum mismatch"):
        load(project)


def test_manifest_without_a_needed_source_is_refused(project):
    text = project.sources_manifest.read_text()
    project.sources_manifest.write_text(text.replace("[sources.ipi]", "[sources.ipx]")
                                        .replace("[[sources.ipi.files]]",
                                                 "[[sources.ipx.files]]"))
    with pytest.raises(InputFileError, match="no entry for source.s. ipi"):
        load(project)


def test_manifest_source_without_an_adapter_is_refused(project):
    """A dataset listed in raw/sources.toml but with no pipelines/sources/ module is refused
    with the file and the fix named, never skipped."""
    text = project.sources_manifest.read_text()
    entry = text[text.index("[sources.ipi]"):]
    project.sources_manifest.write_text(
        text + "\n" + entry.replace("sources.ipi", "sources.newsource")
    )
    with pytest.raises(InputFileError) as caught:
        load(project)
    message = str(caught.value)
    assert "sources.toml" in message
    assert "newsource have no adapter in pipelines/sources/" in message
    assert "pipelines/sources/<source_id>.py" in message
    assert "no entry for" not in message


def test_shipped_manifest_lists_every_raw_file_with_provenance():
    from pipelines.settings import get_settings

    settings = get_settings()
    sources = read_manifest(settings.sources_manifest)
    listed = {raw_file.path.resolve() for source in sources.values() for raw_file in source.files}
    # The analysts' register (raw/register/) is edited by hand, so it is not pinned.
    register_dir = settings.raw_dir / "register"
    on_disk = {path.resolve() for path in settings.raw_dir.rglob("*")
               if path.is_file() and path.name != "sources.toml"
               and register_dir not in path.parents}
    assert listed == on_disk
    for source in sources.values():
        assert source.citation and source.version and source.first_year <= source.last_year
        for key in ("origin", "licence", "code_system"):
            assert source.meta[key]


def test_adapters_are_discovered_and_declare_what_the_pipeline_needs():
    """Every module of pipelines/sources/ with a SOURCE_ID is an adapter (no list to edit),
    and each declares its files, its report label and its GX suite."""
    import pkgutil

    import pipelines.sources as package
    from pipelines.settings import get_settings
    from pipelines.sources import ADAPTERS, ALL_SOURCES, source_labels

    modules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    assert {adapter.__name__.rsplit(".", 1)[1] for adapter in ALL_SOURCES.values()} == (
        modules - {"base"}
    )
    assert set(ADAPTERS) == set(read_manifest(get_settings().sources_manifest))
    assert set(ALL_SOURCES) == set(ADAPTERS) | {"register"}
    for source_id, adapter in ALL_SOURCES.items():
        assert adapter.LABEL.strip(), source_id
        assert callable(adapter.accepted_suite), source_id
    assert source_labels()["mme"] == "multinational exercises (operational pillar)"

"""The bad-input corpus (tests/bad_inputs/): each file has one problem and one exact outcome.

Files are synthetic, written for these tests (the register workbooks and the gzip file by
tests/bad_inputs/_make_register_files.py).  Whatever the outcome, data already published is
never lost or corrupted: a stop leaves the published marts byte-identical, and a quarantined
row changes no mart except mart_quarantine.  A register file that stops the refresh is also
refused by `coop register check`, with the same message.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import InputFileError
from pipelines.register.check import check_file
from pipelines.sources import register
from tests.fixture_data import FILES, default_text, write_raw
from tests.helpers import publish, published_bytes

CORPUS = Path(__file__).parent / "bad_inputs"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
UNCHANGED_BY_A_BAD_ROW = ("mart_country_year", "mart_dyad_year", "mart_partnership",
                          "mart_cooperation_index", "mart_network")


def corpus_files() -> dict[str, Path]:
    """Case name (the file name up to its first dot) -> corpus file."""
    return {path.name.split(".")[0]: path for path in CORPUS.iterdir()
            if path.name != "expected.toml" and not path.name.startswith("_")}


def corpus_content(case: str, spec: dict) -> bytes:
    raw = corpus_files()[case].read_bytes()
    if spec["mode"] in ("replace", "verbatim", "register"):
        return raw
    data_rows = raw.split(b"\n", 1)[1]
    return default_text(spec["target"]).encode("utf-8") + data_rows


def place_corpus_file(project, case: str, spec: dict) -> Path | None:
    """Put the case's file where its mode says; returns a register file's path."""
    content = corpus_content(case, spec)
    if spec["mode"] == "register":
        path = project.raw_dir / "register" / corpus_files()[case].name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        return path
    if spec["mode"] == "verbatim":
        # The bytes as they are (write_raw would gzip them again), pinned by their checksum.
        source_id, relative, _table = FILES[spec["target"]]
        path = project.raw_dir / relative
        old = hashlib.sha256(path.read_bytes()).hexdigest()
        path.write_bytes(content)
        text = project.sources_manifest.read_text(encoding="utf-8")
        project.sources_manifest.write_text(
            text.replace(old, hashlib.sha256(content).hexdigest()), encoding="utf-8")
        return None
    write_raw(project.raw_dir, overrides={spec["target"]: content})
    return None


def test_every_corpus_file_has_an_expected_outcome():
    assert set(corpus_files()) == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_corpus_file_outcome(project, case, monkeypatch):
    spec = EXPECTED[case]
    if "row_count_tolerance" in spec:
        monkeypatch.setenv("COOP_ROW_COUNT_TOLERANCE", spec["row_count_tolerance"])
    baseline = publish(project)["marts"]
    before = published_bytes(project)
    register_file = place_corpus_file(project, case, spec)

    if spec["outcome"] == "stop":
        with pytest.raises(InputFileError) as error:
            publish(project)
        assert spec["message"] in str(error.value)
        assert published_bytes(project) == before
        if register_file is not None:
            with pytest.raises(InputFileError) as checked:
                check_file(project, register_file)
            assert spec["message"] in str(checked.value)
        return
    if register_file is not None:
        warnings = register.read_file(register_file).warnings
        assert [w for w in spec.get("warnings", []) if not any(w in got for got in warnings)
                ] == [], warnings
        assert bool(warnings) == bool(spec.get("warnings"))

    marts = publish(project)["marts"]
    con = duckdb.connect(str(project.published_db), read_only=True)
    try:
        if spec["outcome"] == "accept":
            assert con.execute(spec["query"]).fetchall()[0][0] == spec["result"]
            return
        if spec["outcome"] == "quarantine":
            found = con.execute(
                "select rule, offending_value from mart_quarantine "
                "where rule = $rule and source_id = $source",
                {"rule": spec["rule"], "source": FILES[spec["target"]][0]}).fetchall()
            assert found, f"no row quarantined with rule {spec['rule']}"
            if "value" in spec:
                assert (spec["rule"], spec["value"]) in found
        else:
            names = [r[0] for r in con.execute(
                "select participant_name from mart_non_state_participants").fetchall()]
            assert spec["value"] in names
        for mart in UNCHANGED_BY_A_BAD_ROW:
            assert marts[mart]["content_checksum"] == baseline[mart]["content_checksum"], mart
        # The marts are still all there: nothing was dropped or overwritten by the name.
        assert con.execute("select count(*) from mart_country_year").fetchall()[0][0] > 0
    finally:
        con.close()

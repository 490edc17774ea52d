"""`coop fetch events`: GDELT's packaging (zip + master-list lines `size md5 url`) served from a
loopback server, with the real 2,111-row export inside the zip."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.events.fetch import fetch_events, parse_master_list
from pipelines.settings import get_settings
from tests.helpers import loopback_http_server

SAMPLE = (get_settings().events_raw_dir / "gdelt" / "20191024143000.export.CSV").read_bytes()
FIRST, SECOND = "20191024143000.export.CSV", "20191024144500.export.CSV"


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


class Gdelt:
    """The files, the master list, and a plan of failures per path (consumed in order)."""

    def __init__(self):
        # The second export is the real sample under the next window's name (a stand-in).
        self.files = {f"gdeltv2/{FIRST}.zip": zipped(FIRST, SAMPLE),
                      f"gdeltv2/{SECOND}.zip": zipped(SECOND, SAMPLE)}
        self.failures: dict[str, list[int]] = {}
        self.requests: list[str] = []
        self.base = ""

    def master_list(self, md5_override: dict | None = None) -> bytes:
        lines = []
        for path, body in self.files.items():
            md5 = (md5_override or {}).get(path, hashlib.md5(body).hexdigest())
            lines.append(f"{len(body)} {md5} {self.base}/{path}")
        # a mentions file and an export of another day share the list: not fetched
        lines.append(f"10 {'0' * 32} {self.base}/gdeltv2/20191024143000.mentions.CSV.zip")
        lines.append(f"10 {'0' * 32} {self.base}/gdeltv2/20191025000000.export.CSV.zip")
        return ("\n".join(lines) + "\n").encode()

    def respond(self, path: str):
        self.requests.append(path)
        planned = self.failures.get(path)
        if planned:
            return planned.pop(0), b"unavailable"
        if path == "gdeltv2/masterfilelist.txt":
            return 200, self.master_list(getattr(self, "md5_override", None))
        return (200, self.files[path]) if path in self.files else (404, b"not found")


@pytest.fixture
def gdelt():
    state = Gdelt()
    with loopback_http_server(state.respond) as base:
        state.base = base
        yield state


def fetch(gdelt: Gdelt, lake: Path):
    return fetch_events(lake, date(2019, 10, 24), date(2019, 10, 24),
                        list_url=f"{gdelt.base}/gdeltv2/masterfilelist.txt", workers=2,
                        attempts=3, wait_seconds=0)


def lake_rows(lake: Path) -> list[tuple]:
    return duckdb.sql(f"select _source_file, count(*) from read_parquet('{lake}/gdelt/*/*.parquet')"
                      f" group by 1 order by 1").fetchall()


def test_exports_in_range_are_downloaded_verified_and_converted(gdelt, tmp_path):
    results = fetch(gdelt, tmp_path)
    assert [(r.name, r.status, r.rows) for r in results] == [
        (f"{FIRST}.zip", "fetched", 2111), (f"{SECOND}.zip", "fetched", 2111)]
    assert lake_rows(tmp_path) == [(FIRST, 2111), (SECOND, 2111)]
    assert not any((tmp_path / "_downloads").iterdir())  # zips removed after conversion
    assert not any("mentions" in r or "20191025" in r for r in gdelt.requests)


def test_a_second_run_resumes_and_downloads_nothing_again(gdelt, tmp_path):
    fetch(gdelt, tmp_path)
    gdelt.requests.clear()
    results = fetch(gdelt, tmp_path)
    assert {r.status for r in results} == {"skipped"}
    assert gdelt.requests == ["gdeltv2/masterfilelist.txt"]


def test_transient_errors_are_retried(gdelt, tmp_path):
    gdelt.failures[f"gdeltv2/{FIRST}.zip"] = [503, 500]
    results = fetch(gdelt, tmp_path)
    assert {r.status for r in results} == {"fetched"}
    assert gdelt.requests.count(f"gdeltv2/{FIRST}.zip") == 3


def test_an_interrupted_fetch_completes_on_the_next_run(gdelt, tmp_path):
    gdelt.failures[f"gdeltv2/{SECOND}.zip"] = [503, 503, 503]  # all three attempts fail
    first = fetch(gdelt, tmp_path)
    assert [(r.name, r.status) for r in first] == [(f"{FIRST}.zip", "fetched"),
                                                    (f"{SECOND}.zip", "failed")]
    assert lake_rows(tmp_path) == [(FIRST, 2111)]
    second = fetch(gdelt, tmp_path)
    assert [(r.name, r.status) for r in second] == [(f"{FIRST}.zip", "skipped"),
                                                     (f"{SECOND}.zip", "fetched")]
    assert lake_rows(tmp_path) == [(FIRST, 2111), (SECOND, 2111)]


def test_a_checksum_mismatch_converts_nothing(gdelt, tmp_path):
    gdelt.md5_override = {f"gdeltv2/{FIRST}.zip": "0" * 32}
    results = {r.name: r for r in fetch(gdelt, tmp_path)}
    assert results[f"{FIRST}.zip"].status == "failed"
    assert "md5" in results[f"{FIRST}.zip"].message
    assert lake_rows(tmp_path) == [(SECOND, 2111)]
    assert not any((tmp_path / "_downloads").iterdir())


def test_master_list_lines_must_read_size_md5_url():
    with pytest.raises(Exception, match="line 2"):
        parse_master_list("1 abc http://x/20191024143000.export.CSV.zip\nnot a line\n",
                          date(2019, 10, 24), date(2019, 10, 24))


def test_cli_fetch_events_needs_dates_and_fetch_keeps_its_other_uses():
    runner = CliRunner()
    missing = runner.invoke(main, ["fetch", "events"])
    assert missing.exit_code == 1 and "needs --from and --to" in missing.output
    stray = runner.invoke(main, ["fetch", "atop", "--from", "2019-01-01"])
    assert stray.exit_code == 1 and "apply to `coop fetch events` only" in stray.output


def test_cli_fetch_events_fills_the_lake(gdelt, tmp_path, monkeypatch):
    monkeypatch.setenv("COOP_EVENTS_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("COOP_GDELT_MASTER_URL", f"{gdelt.base}/gdeltv2/masterfilelist.txt")
    result = CliRunner().invoke(main, ["fetch", "events", "--from", "2019-10-24",
                                       "--to", "2019-10-24"])
    assert result.exit_code == 0, result.output
    assert "2 export(s) fetched and converted" in result.output
    assert lake_rows(tmp_path / "lake") == [(FIRST, 2111), (SECOND, 2111)]

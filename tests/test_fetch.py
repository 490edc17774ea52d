"""`coop fetch`: pinned releases downloaded from a loopback HTTP server (or a file url).

The served files are the synthetic fixture files (tests/fixture_data.py), changed where a test
needs a "new release".  Every failure must leave the old raw file byte-identical, remove the
temporary download, and say which file, which url and what went wrong.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.errors import FetchError, InputFileError, RefreshLockedError
from pipelines.fetch import FetchPolicy, FetchStatus, fetch_sources, read_fetch_log
from pipelines.raw_manifest import read_manifest, verify_file
from pipelines.settings import Settings
from tests.fixture_data import default_text
from tests.helpers import declare_url, loopback_http_server

FAST = FetchPolicy(attempts=3, timeout_seconds=5, retry_delays=(0.0,))
IPI = "ipi/contributor_month.csv"
ATOP = "atop/atop.csv.gz"

# A later release of the IPI file: one more contributor-month (synthetic, like the fixture).
NEW_IPI = default_text("contributor_month") + "2014-03-31,Uzbekistan,UZB,704,7,,\n"


@dataclass
class LoopbackServer:
    """Serves planned responses per path; each path's list is consumed, the last one repeats."""

    plans: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    base_url: str = ""

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path}"

    def serve(self, path: str, *responses: tuple[int, bytes]) -> str:
        self.plans[path] = list(responses)
        return self.url(path)

    def respond(self, path: str) -> tuple[int, bytes]:
        self.requests.append(path)
        plan = self.plans.get(path) or [(404, b"not found")]
        return plan.pop(0) if len(plan) > 1 else plan[0]


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    state = LoopbackServer()
    with loopback_http_server(state.respond) as base_url:
        state.base_url = base_url
        yield state


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leftovers(settings: Settings) -> list[Path]:
    return sorted(settings.raw_dir.rglob(".fetch-*"))


def test_a_new_pinned_release_is_downloaded_verified_and_swapped_in(project, server):
    release = NEW_IPI.encode()
    declare_url(project, IPI, server.serve("ipi.csv", (200, release)), sha256(release))

    report = fetch_sources(project, policy=FAST)

    ipi = next(item for item in report.files if item.file == IPI)
    assert ipi.status is FetchStatus.FETCHED and ipi.size == len(release)
    assert (project.raw_dir / IPI).read_bytes() == release
    # The manifest and raw/ agree afterwards: the loader's own check passes.
    raw_file = read_manifest(project.sources_manifest)["ipi"].file("contributor_month")
    assert verify_file(raw_file) == sha256(release)
    others = [item.status for item in report.files if item.file != IPI]
    # Every other file of the fixture manifest declares no url.
    files = sum(len(source.files) for source in read_manifest(project.sources_manifest).values())
    assert others == [FetchStatus.NO_URL] * (files - 1)
    assert leftovers(project) == []
    [logged] = read_fetch_log(project)
    assert logged["file"] == IPI and logged["status"] == "fetched"
    assert logged["sha256"] == sha256(release) and logged["bytes"] == len(release)
    assert logged["url"] == server.url("ipi.csv")


def test_a_file_already_at_its_pinned_checksum_is_not_downloaded(project, server):
    current = (project.raw_dir / IPI).read_bytes()
    declare_url(project, IPI, server.serve("ipi.csv", (200, current)), sha256(current))

    report = fetch_sources(project, ["ipi"], policy=FAST)

    assert [item.status for item in report.files] == [FetchStatus.UP_TO_DATE]
    assert server.requests == []
    assert read_fetch_log(project) == []


def test_a_missing_file_is_fetched(project, server):
    release = NEW_IPI.encode()
    declare_url(project, IPI, server.serve("ipi.csv", (200, release)), sha256(release))
    (project.raw_dir / IPI).unlink()

    report = fetch_sources(project, ["ipi"], policy=FAST)

    assert report.failures == ()
    assert (project.raw_dir / IPI).read_bytes() == release


def test_a_transient_server_error_is_retried(project, server):
    release = NEW_IPI.encode()
    url = server.serve("ipi.csv", (503, b"busy"), (200, release))
    declare_url(project, IPI, url, sha256(release))

    report = fetch_sources(project, ["ipi"], policy=FAST)

    assert report.failures == ()
    assert server.requests == ["ipi.csv", "ipi.csv"]
    assert (project.raw_dir / IPI).read_bytes() == release


def assert_failed_and_old_file_kept(settings: Settings, report, old: bytes, *fragments: str):
    [failure] = report.failures
    assert failure.file == IPI
    for fragment in (str(settings.raw_dir / IPI), "The previous file is kept", *fragments):
        assert fragment in failure.message
    assert (settings.raw_dir / IPI).read_bytes() == old
    assert leftovers(settings) == []
    with pytest.raises(FetchError, match=re.escape(failure.message)):
        report.raise_for_failures()
    [logged] = read_fetch_log(settings)
    assert logged["status"] == "failed" and logged["error"] == failure.message


def test_http_404_fails_once_and_keeps_the_old_file(project, server):
    old = (project.raw_dir / IPI).read_bytes()
    url = server.serve("gone.csv", (404, b"no such release"))
    declare_url(project, IPI, url, sha256(NEW_IPI.encode()))

    report = fetch_sources(project, ["ipi"], policy=FAST)

    assert_failed_and_old_file_kept(project, report, old, url, "HTTP 404 Not Found")
    assert server.requests == ["gone.csv"]  # a 404 is not retried


def test_connection_refused_is_retried_then_fails_and_keeps_the_old_file(project):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    old = (project.raw_dir / IPI).read_bytes()
    url = f"http://127.0.0.1:{port}/ipi.csv"
    declare_url(project, IPI, url, sha256(NEW_IPI.encode()))

    report = fetch_sources(project, ["ipi"], policy=FAST)

    assert_failed_and_old_file_kept(project, report, old, url, "after 3 attempts", "ConnectError")


def test_a_download_with_another_checksum_is_refused(project, server):
    old = (project.raw_dir / IPI).read_bytes()
    served = NEW_IPI.encode()
    pinned = sha256(NEW_IPI.replace("UZB,704,7", "UZB,704,8").encode())
    declare_url(project, IPI, server.serve("ipi.csv", (200, served)), pinned)

    report = fetch_sources(project, ["ipi"], policy=FAST)

    assert_failed_and_old_file_kept(
        project, report, old, f"has sha256 {sha256(served)}", f"pins {pinned}"
    )


def test_a_corrupt_file_with_its_checksum_pinned_is_refused_by_the_header_check(project, server):
    # An error page saved by mistake and pinned: the checksum alone cannot catch it.
    old = (project.raw_dir / IPI).read_bytes()
    page = b"<html><body>Dataset moved</body></html>\n"
    declare_url(project, IPI, server.serve("ipi.csv", (200, page)), sha256(page))

    report = fetch_sources(project, ["ipi"], policy=FAST)

    assert_failed_and_old_file_kept(
        project, report, old, "not a valid 'contributor_month' file", "header does not match"
    )


def test_a_truncated_gzip_with_its_checksum_pinned_is_refused(project, server):
    old = (project.raw_dir / ATOP).read_bytes()
    truncated = gzip.compress(default_text("directed_dyad_year").encode() * 50)[:-40]
    declare_url(project, ATOP, server.serve("atop.csv.gz", (200, truncated)), sha256(truncated))

    report = fetch_sources(project, ["atop"], policy=FAST)

    [failure] = report.failures
    assert "not a valid 'directed_dyad_year' file" in failure.message
    assert (project.raw_dir / ATOP).read_bytes() == old
    assert leftovers(project) == []


def test_a_file_url_is_copied_and_verified(project, tmp_path):
    release = tmp_path / "downloads" / "ipi release.csv"
    release.parent.mkdir()
    release.write_text(NEW_IPI, encoding="utf-8")
    declare_url(project, IPI, release.as_uri(), sha256(release.read_bytes()))
    project = dataclasses.replace(project, fetch_file_dir=release.parent)

    report = fetch_sources(project, ["ipi"], policy=FAST)

    assert [item.status for item in report.files] == [FetchStatus.FETCHED]
    assert (project.raw_dir / IPI).read_bytes() == release.read_bytes()


def test_a_missing_file_url_fails_clearly(project, tmp_path):
    project = dataclasses.replace(project, fetch_file_dir=tmp_path)
    url = (tmp_path / "nowhere.csv").as_uri()
    old = (project.raw_dir / IPI).read_bytes()
    declare_url(project, IPI, url, sha256(NEW_IPI.encode()))

    report = fetch_sources(project, ["ipi"], policy=FAST)

    assert_failed_and_old_file_kept(project, report, old, url, "No such file")


def test_a_stale_temporary_file_of_a_killed_fetch_is_cleared(project, server):
    stale = project.raw_dir / "ipi" / ".fetch-99999-contributor_month.csv"
    stale.write_text("half a download", encoding="utf-8")
    release = NEW_IPI.encode()
    declare_url(project, IPI, server.serve("ipi.csv", (200, release)), sha256(release))

    fetch_sources(project, ["ipi"], policy=FAST)

    assert leftovers(project) == []


def test_fetch_waits_for_no_refresh_it_would_disturb(project, server):
    release = NEW_IPI.encode()
    declare_url(project, IPI, server.serve("ipi.csv", (200, release)), sha256(release))
    old = (project.raw_dir / IPI).read_bytes()

    # The lock is held by another process (a refresh); within one process it is re-entrant.
    project.lock_file.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(120)",
         str(project.lock_file)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RefreshLockedError):
            fetch_sources(project, policy=FAST)
    finally:
        holder.kill()
        holder.wait()

    assert (project.raw_dir / IPI).read_bytes() == old
    assert server.requests == []


def test_an_unknown_source_is_refused(project):
    with pytest.raises(FetchError, match="no source named nope"):
        fetch_sources(project, ["nope"])


@pytest.mark.parametrize("url", ["ftp://example.org/a.csv", "http://", "ipi.csv", "file://"])
def test_a_url_of_another_kind_is_refused_by_the_manifest(project, url):
    declare_url(project, IPI, url, "0" * 64)
    with pytest.raises(InputFileError, match="a url must be a string starting with http://"):
        read_manifest(project.sources_manifest)


def test_the_loader_points_at_coop_fetch_for_a_declared_file(project, server):
    release = NEW_IPI.encode()
    declare_url(project, IPI, server.serve("ipi.csv", (200, release)), sha256(release))
    raw_file = read_manifest(project.sources_manifest)["ipi"].file("contributor_month")
    with pytest.raises(InputFileError, match=r"checksum mismatch.*`coop fetch ipi`"):
        verify_file(raw_file)


def test_coop_fetch_reports_each_file_and_fails_with_exit_1(project, server):
    release = NEW_IPI.encode()
    declare_url(project, IPI, server.serve("ipi.csv", (200, release)), sha256(release))

    fetched = CliRunner().invoke(main, ["fetch", "ipi"])
    again = CliRunner().invoke(main, ["fetch"])
    declare_url(project, IPI, server.serve("broken.csv", (404, b"")), sha256(b"other"))
    failed = CliRunner().invoke(main, ["fetch", "ipi"])

    assert fetched.exit_code == 0, fetched.output
    assert f"fetched    {IPI} {len(release):,} bytes" in fetched.output
    assert "1 file(s) fetched. Run `coop refresh`" in fetched.output
    assert again.exit_code == 0 and f"up to date {IPI}" in again.output
    assert "raw/ holds every pinned release." in again.output
    assert failed.exit_code == 1
    assert "HTTP 404" in failed.output and "Traceback" not in failed.output


def test_coop_fetch_with_no_url_declared_says_there_is_nothing_to_fetch(project):
    result = CliRunner().invoke(main, ["fetch"])
    assert result.exit_code == 0
    assert f"no url     {IPI}" in result.output
    assert "nothing to fetch" in result.output
    assert read_fetch_log(project) == []


# Issue 16 (5): what `coop fetch` may read and write.  Each of these read or overwrote a file
# outside the project on main.

def test_a_file_url_is_refused_unless_a_directory_is_configured(project, tmp_path):
    secret = tmp_path / "elsewhere" / "private.csv"
    secret.parent.mkdir()
    secret.write_text(NEW_IPI, encoding="utf-8")
    old = (project.raw_dir / IPI).read_bytes()
    declare_url(project, IPI, secret.as_uri(), sha256(secret.read_bytes()))

    report = fetch_sources(project, ["ipi"], policy=FAST)

    [failure] = report.failures
    assert "file:// urls are off" in failure.message
    assert "COOP_FETCH_FILE_DIR" in failure.message
    assert (project.raw_dir / IPI).read_bytes() == old
    assert leftovers(project) == []


@pytest.mark.parametrize("where", ["sibling", "climbing", "symlink"])
def test_a_file_url_outside_the_configured_directory_is_refused(project, tmp_path, where):
    allowed = tmp_path / "releases"
    allowed.mkdir()
    outside = tmp_path / "private.csv"
    outside.write_text(NEW_IPI, encoding="utf-8")
    url = {
        "sibling": outside.as_uri(),
        "climbing": allowed.as_uri() + "/../private.csv",
        "symlink": (allowed / "link.csv").as_uri(),
    }[where]
    (allowed / "link.csv").symlink_to(outside)
    old = (project.raw_dir / IPI).read_bytes()
    declare_url(project, IPI, url, sha256(outside.read_bytes()))

    report = fetch_sources(dataclasses.replace(project, fetch_file_dir=allowed), ["ipi"],
                           policy=FAST)

    [failure] = report.failures
    assert "outside the directory file:// urls may read from" in failure.message
    assert (project.raw_dir / IPI).read_bytes() == old


def test_a_download_over_the_size_limit_is_stopped(project, server, tmp_path):
    release = NEW_IPI.encode()
    declare_url(project, IPI, server.serve("ipi.csv", (200, release)), sha256(release))
    old = (project.raw_dir / IPI).read_bytes()
    small = dataclasses.replace(project, fetch_max_bytes=len(release) - 1)

    report = fetch_sources(small, ["ipi"], policy=FAST)

    [failure] = report.failures
    assert f"larger than the {len(release) - 1:,}-byte limit" in failure.message
    assert "COOP_FETCH_MAX_BYTES" in failure.message
    assert (project.raw_dir / IPI).read_bytes() == old
    assert leftovers(project) == []
    # Exactly at the limit it is accepted.
    exact = dataclasses.replace(project, fetch_max_bytes=len(release))
    assert [f.status for f in fetch_sources(exact, ["ipi"], policy=FAST).files] == [
        FetchStatus.FETCHED]


def test_a_streamed_download_is_cut_at_the_size_limit(project, tmp_path):
    # A file:// read has no declared length: the limit is enforced while writing.
    release = tmp_path / "releases" / "ipi.csv"
    release.parent.mkdir()
    release.write_text(NEW_IPI, encoding="utf-8")
    declare_url(project, IPI, release.as_uri(), sha256(release.read_bytes()))
    old = (project.raw_dir / IPI).read_bytes()
    limited = dataclasses.replace(project, fetch_file_dir=release.parent, fetch_max_bytes=10)

    [failure] = fetch_sources(limited, ["ipi"], policy=FAST).failures

    assert "larger than the 10-byte limit" in failure.message
    assert (project.raw_dir / IPI).read_bytes() == old
    assert leftovers(project) == []


def test_the_size_limit_setting_is_read_and_checked(monkeypatch):
    from pipelines.errors import CoopError
    from pipelines.settings import DEFAULT_FETCH_MAX_BYTES, get_settings

    monkeypatch.delenv("COOP_FETCH_MAX_BYTES", raising=False)
    monkeypatch.delenv("COOP_FETCH_FILE_DIR", raising=False)
    assert get_settings().fetch_max_bytes == DEFAULT_FETCH_MAX_BYTES == 2 * 1024**3
    assert get_settings().fetch_file_dir is None
    monkeypatch.setenv("COOP_FETCH_MAX_BYTES", "1000")
    assert get_settings().fetch_max_bytes == 1000
    monkeypatch.setenv("COOP_FETCH_MAX_BYTES", "2GB")
    with pytest.raises(CoopError, match="COOP_FETCH_MAX_BYTES='2GB': must be a whole number"):
        get_settings()


@pytest.mark.parametrize("path", ["../victim.csv", "ABSOLUTE", "ipi/../../victim.csv"])
def test_fetch_never_writes_outside_raw(project, server, tmp_path, path):
    victim = tmp_path / "victim.csv"  # raw/ is tmp_path/raw, so ../victim.csv is this file
    victim.write_text("precious\n", encoding="utf-8")
    release = NEW_IPI.encode()
    declare_url(project, IPI, server.serve("ipi.csv", (200, release)), sha256(release))
    text = project.sources_manifest.read_text(encoding="utf-8")
    path = str(victim) if path == "ABSOLUTE" else path
    project.sources_manifest.write_text(text.replace(f'path = "{IPI}"', f'path = "{path}"'),
                                        encoding="utf-8")

    with pytest.raises(InputFileError, match="raw/") as error:
        fetch_sources(project, ["ipi"], policy=FAST)

    assert "precious" not in str(error.value)
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert server.requests == []

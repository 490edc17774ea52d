"""Two guards the mutation audit of session 4 found untested.

1. The row-count drift check holds a mart near the last good run's rows only when
   raw/sources.toml lists the same files as that run did (`validation.same_source_files`):
   a source added or removed changes rows by design.
2. A download whose declared Content-Length is over COOP_FETCH_MAX_BYTES is refused before its
   body is read (not retried, and the message names the declared size).
"""

from __future__ import annotations

import dataclasses
import hashlib

from pipelines.fetch import FetchPolicy, fetch_sources
from pipelines.publish import read_published_manifest
from pipelines.validation import same_source_files
from tests.helpers import declare_url, loopback_http_server, publish


def test_the_row_count_baseline_applies_only_to_the_same_source_files(project):
    publish(project)
    last = read_published_manifest(project)
    checksums = dict(last["raw_checksums"])
    assert checksums, "the published manifest records the raw files it was built from"
    assert same_source_files(project, {"raw_checksums": checksums})

    # Analysts' register files do not count: adding or removing one keeps the baseline.
    with_register = {**checksums, "register/extra_fact.csv": "0" * 64}
    assert same_source_files(project, {"raw_checksums": with_register})

    # A file the last run had and the manifest no longer lists (a source removed) ...
    removed = {**checksums, "newsource/file.csv": "0" * 64}
    assert not same_source_files(project, {"raw_checksums": removed})
    # ... or a file the manifest lists that the last run did not have (a source added).
    first, *rest = sorted(path for path in checksums if not path.startswith("register/"))
    added = {path: checksums[path] for path in rest}
    assert not same_source_files(project, {"raw_checksums": added})
    # No last run at all: nothing to hold the rows to.
    assert not same_source_files(project, {})


def test_a_declared_length_over_the_limit_is_refused_before_the_body(project):
    requests: list[str] = []
    body = b"x" * 64

    def respond(path: str) -> tuple[int, bytes, int]:
        # Declares ten gigabytes, sends 64 bytes and closes: only the declared length can tell
        # the client that the release is over the limit.
        requests.append(path)
        return 200, body, 10 * 1024**3

    relative = "ipi/contributor_month.csv"
    old = (project.raw_dir / relative).read_bytes()
    with loopback_http_server(respond) as base_url:
        declare_url(project, relative, f"{base_url}/ipi.csv", hashlib.sha256(body).hexdigest())
        limited = dataclasses.replace(project, fetch_max_bytes=1000)
        policy = FetchPolicy(attempts=3, timeout_seconds=5, retry_delays=(0.0,))
        [failure] = fetch_sources(limited, ["ipi"], policy=policy).failures

    assert f"({10 * 1024**3:,} bytes or more)" in failure.message
    assert "larger than the 1,000-byte limit" in failure.message
    assert len(requests) == 1  # too large is not a transient failure: no retry
    assert (project.raw_dir / relative).read_bytes() == old
    assert sorted(project.raw_dir.rglob(".fetch-*")) == []

"""The mart metadata files: `coop contracts --write` rewrites types in place, keeping docs."""

from __future__ import annotations

import duckdb

from pipelines.mart_metadata import read_mart
from pipelines.validation import check_contracts, rewrite_types, write_contracts

META = '''description = "x"
grain = "one row per k"
key = ["k"]

[columns.k]
type = "INTEGER"
meaning = "The key."
unit = "code"
sources = ["atop"]

[columns.gone]
type = "VARCHAR"
meaning = "A column the mart lost."
unit = "text"
sources = ["atop"]

[columns.share]
type = "FLOAT"
meaning = "A share."
unit = "share"
sources = ["atop"]
checks = { min = 0, max = 1 }
'''


def test_rewrite_types_updates_keeps_docs_adds_and_drops_columns():
    text = rewrite_types(META, {"k": "BIGINT", "share": "DOUBLE", "added": "VARCHAR"})
    assert '[columns.k]\ntype = "BIGINT"\nmeaning = "The key."' in text
    assert '[columns.share]\ntype = "DOUBLE"\nmeaning = "A share."' in text
    assert "checks = { min = 0, max = 1 }" in text
    assert "[columns.gone]" not in text
    assert text.endswith('[columns.added]\ntype = "VARCHAR"\n')
    assert text.index("[columns.k]") < text.index("[columns.share]") < text.index("[columns.added]")


def test_contracts_compare_and_write_the_built_types(tmp_path):
    marts = tmp_path / "marts"
    marts.mkdir()
    (marts / "mart_x.sql").write_text("select 1 as k, 0.5 as share\n")
    (marts / "mart_x.toml").write_text(META)
    con = duckdb.connect()
    con.execute("create table mart_x as select 1 as k, 0.5::double as share")
    problems = check_contracts(con, tmp_path)
    assert problems == ["mart_x: columns differ from mart_x.toml: gone VARCHAR -> absent; "
                        "share FLOAT -> DOUBLE"]
    assert write_contracts(con, tmp_path) == [str(marts / "mart_x.toml")]
    assert check_contracts(con, tmp_path) == []
    meta = read_mart(marts / "mart_x.toml", {})
    assert meta.types == {"k": "INTEGER", "share": "DOUBLE"}
    assert meta.columns["share"].meaning == "A share."

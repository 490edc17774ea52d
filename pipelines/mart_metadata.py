"""One metadata file beside each mart: sql/marts/<mart>.toml.

It holds the mart's description, grain and key, and per column, in the mart's column order,
its DuckDB type, meaning, unit, sources and checks.  Everything else is derived from it:

- the build checks (pipelines/models.py): the key is unique and not null, `not_null` columns
  have no NULL, `values` columns hold only those values -- queries run right after the build;
- the type contract: the mart's select is described (planned, not run) and compared with the
  declared names and types before the mart is built, so a wrong column stops the build early;
- the GX suite of the published mart (pipelines/validation.py): key uniqueness, `unique`
  columns, ranges (`min`, `max`, `range_query`), value sets read from seeds (`values_query`),
  COW membership of a ccode in its year (`cow_member`), row `[conditions]` and the row count
  against the last good run (unless `row_count = false`);
- the data dictionary (pipelines/dictionary.py).

A column that means the same in every mart (ccode, iso3, country...) may leave out meaning,
unit and sources: they come from sql/marts/common_columns.toml.  Example:

    description = "Each state's alliances ... year by year."
    grain = "one row per COW system member (ccode) per year"
    key = ["ccode", "year"]

    [columns.ccode]
    type = "INTEGER"
    checks = { cow_member = "year" }

    [columns.alliance_partners_total]
    type = "BIGINT"
    meaning = "Distinct partner states with any ATOP alliance obligation ..."
    unit = "partner states"
    sources = ["atop"]
    checks = { min = 0 }
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.errors import CoopError

COMMON_FILE = "common_columns.toml"
DOC_FIELDS = ("meaning", "unit", "sources", "years")
REQUIRED_DOC_FIELDS = ("meaning", "unit", "sources")
# Check name -> what it holds.
CHECKS = {
    "not_null": bool,  # build: no NULL
    "values": list,  # build: only these values (NULL allowed)
    "unique": bool,  # GX: the column alone is unique
    "min": (int, float),  # GX: no value below
    "max": (int, float),  # GX: no value above
    "range_query": str,  # GX: a query returning one row (min, max)
    "values_query": str,  # GX: a query whose first column lists the accepted values
    "cow_member": str,  # GX: this ccode is a COW system member in the named year column
}
_MART_FIELDS = ("description", "grain", "key", "row_count", "conditions", "columns")
_COLUMN_FIELDS = ("type", *DOC_FIELDS, "checks")


@dataclass(frozen=True)
class ColumnMeta:
    name: str
    type: str
    meaning: str = ""
    unit: str = ""
    sources: tuple[str, ...] = ()
    years: str = ""
    checks: dict[str, Any] = field(default_factory=dict)
    common: bool = False  # meaning, unit and sources come from common_columns.toml


@dataclass(frozen=True)
class MartMeta:
    name: str
    path: Path
    text: str  # the file's text: part of the mart's fingerprint
    description: str
    grain: str
    key: tuple[str, ...]
    columns: dict[str, ColumnMeta]
    conditions: dict[str, str] = field(default_factory=dict)
    row_count: bool = True

    @property
    def not_null(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns.values() if c.checks.get("not_null"))

    @property
    def accepted_values(self) -> dict[str, tuple[str, ...]]:
        """`values` checks as SQL literals, as the build checks and the dictionary show them."""
        return {
            c.name: tuple(sql_literal(v) for v in c.checks["values"])
            for c in self.columns.values()
            if "values" in c.checks
        }

    @property
    def contract_text(self) -> str:
        """What the build and the gate enforce (not the docs): part of the mart's fingerprint,
        so a changed type or check rebuilds the mart while a reworded meaning re-renders the
        dictionary only."""
        return json.dumps(
            {
                "key": self.key,
                "columns": [[c.name, c.type, c.checks] for c in self.columns.values()],
                "conditions": self.conditions,
                "row_count": self.row_count,
            },
            sort_keys=True,
        )

    @property
    def types(self) -> dict[str, str]:
        return {name: column.type for name, column in self.columns.items()}


def sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CoopError(f"{path}: not valid TOML ({exc}).") from exc


def read_common(sql_dir: Path) -> dict[str, dict]:
    path = sql_dir / "marts" / COMMON_FILE
    return _read(path) if path.is_file() else {}


def _problems(document: dict) -> list[str]:
    problems = []
    unknown = sorted(set(document) - set(_MART_FIELDS))
    if unknown:
        allowed = ", ".join(_MART_FIELDS)
        problems.append(f"unknown field(s) {', '.join(unknown)} (allowed: {allowed})")
    for required in ("description", "grain", "key", "columns"):
        if not document.get(required):
            problems.append(f"lacks {required}")
    columns = document.get("columns", {})
    for key in document.get("key", []):
        if key not in columns:
            problems.append(f"key column {key} is not among [columns]")
    for name, entry in columns.items():
        if not isinstance(entry, dict):
            problems.append(f"[columns.{name}] must be a table")
            continue
        if not entry.get("type"):
            problems.append(f"[columns.{name}] lacks type (the DuckDB type, e.g. BIGINT)")
        extra = sorted(set(entry) - set(_COLUMN_FIELDS))
        if extra:
            problems.append(f"[columns.{name}] unknown field(s) {', '.join(extra)}")
        for check, value in entry.get("checks", {}).items():
            expected = CHECKS.get(check)
            if expected is None:
                problems.append(
                    f"[columns.{name}] unknown check {check} (known: {', '.join(CHECKS)})"
                )
            elif not isinstance(value, expected):
                problems.append(f"[columns.{name}] check {check} has the wrong kind of value")
        member = entry.get("checks", {}).get("cow_member")
        if member and member not in columns:
            problems.append(f"[columns.{name}] cow_member names {member}, not a column")
    return problems


def read_mart(path: Path, common: dict[str, dict]) -> MartMeta:
    """One mart's metadata file, with a clear error naming the file and what is wrong."""
    text = path.read_text(encoding="utf-8")
    document = _read(path)
    problems = _problems(document)
    if problems:
        raise CoopError(f"{path}: " + "; ".join(problems) + ".")
    columns = {}
    for name, entry in document["columns"].items():
        docs = entry if entry.get("meaning") else common.get(name.lower(), {})
        columns[name] = ColumnMeta(
            name=name,
            type=str(entry["type"]),
            meaning=str(docs.get("meaning", "")),
            unit=str(docs.get("unit", "")),
            sources=tuple(str(s) for s in docs.get("sources", [])),
            years=str(docs.get("years", "")),
            checks=dict(entry.get("checks", {})),
            common=not entry.get("meaning") and name.lower() in common,
        )
    return MartMeta(
        name=path.stem,
        path=path,
        text=text,
        description=str(document["description"]),
        grain=str(document["grain"]),
        key=tuple(document["key"]),
        columns=columns,
        conditions=dict(document.get("conditions", {})),
        row_count=bool(document.get("row_count", True)),
    )


def metadata_path(sql_dir: Path, mart: str) -> Path:
    return sql_dir / "marts" / f"{mart}.toml"


def read_marts(sql_dir: Path) -> dict[str, MartMeta]:
    """Every mart's metadata, by mart name; a mart model without its file is refused."""
    common = read_common(sql_dir)
    found = {}
    for sql_path in sorted((sql_dir / "marts").glob("*.sql")):
        path = metadata_path(sql_dir, sql_path.stem)
        if not path.is_file():
            raise CoopError(
                f"{sql_path}: a mart needs its metadata file {path.name} beside it "
                f"(description, grain, key, columns with type, meaning, unit, sources and "
                f"checks; see docs/contributing.md)."
            )
        found[sql_path.stem] = read_mart(path, common)
    for path in sorted((sql_dir / "marts").glob("*.toml")):
        if path.name != COMMON_FILE and path.stem not in found:
            raise CoopError(f"{path}: describes {path.stem}, which is not a mart model.")
    return found


def type_problems(declared: dict[str, str], actual: list[tuple[str, str]]) -> list[str]:
    """How the (column, type) list of a query differs from the declared columns."""
    got = dict(actual)
    if list(got.items()) == list(declared.items()):
        return []
    diff = [
        f"{c} {declared.get(c, 'absent')} -> {got.get(c, 'absent')}"
        for c in dict.fromkeys([*declared, *got])
        if declared.get(c) != got.get(c)
    ]
    return diff or ["column order changed"]

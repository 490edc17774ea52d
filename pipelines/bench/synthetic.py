"""Synthetic raw inputs at k times the shipped event volume, for benchmarks only.

Everything written here is labelled SYNTHETIC (dataset, version, citation and origin in the
generated raw/sources.toml), goes to a directory of its own and is never mixed into the
project's raw/.  The files have the shipped headers and formats, so the real loader reads them,
checksums and all.  What grows with k:

- COW IGO memberships: every IGO-year roster is repeated under k - 1 synthetic IGOs
  (``<ioname>_syn<c>``), so the joint-membership self-join grows exactly k-fold while every
  membership stays a real COW state-year (it passes the state-system checks).  The IGO list
  gets the matching synthetic rows.
- MME exercises and participants: k - 1 synthetic copies of every exercise; copy c takes the
  participant roster of another exercise of the same start year, drawn by a seeded
  permutation, so rosters stay valid for their year but pair differently.
- Analysts' register facts (raw/register/, not pinned in sources.toml): the shipped files plus
  one synthetic file with k - 1 copies of each fact under a SYNTHETIC citation.

ATOP, COW states and IPI keep their shipped rows: their keys (dyad-year, state spell,
contributor-month) admit no more events without inventing states or months.

Generation runs in DuckDB (one pass per file, gzip written by DuckDB), so 100x, about 68
million IGO rows, takes minutes, not hours, and little memory.
"""

from __future__ import annotations

import csv
import json
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.bench import BenchError
from pipelines.raw_manifest import read_manifest, sha256_of
from pipelines.settings import default_duckdb_memory_limit
from pipelines.sources import ADAPTERS, register

GENERATOR_VERSION = "2"
SYNTHETIC_SUFFIX = "_syn"
STAMP_FILE = "synthetic.json"
SYNTHETIC_REGISTER_FILE = "synthetic_register_facts.csv"
# Sources whose events the generator multiplies; the others are copied unchanged.
SCALED_SOURCES = ("cow_igo", "mme")


@dataclass
class SyntheticData:
    """Where a generated raw/ directory is and how many rows each file got."""

    raw_dir: Path
    scale: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    reused: bool = False


def _spec(source_id: str, file_name: str):
    for spec in ADAPTERS[source_id].FILES:
        if spec.file_name == file_name:
            return spec
    raise BenchError(f"no adapter file {source_id}/{file_name}")


def _read_shipped(con: duckdb.DuckDBPyConnection, path: Path, columns: tuple[str, ...],
                  table: str) -> int:
    """Load a shipped CSV as text with its file row number, exactly as the loader reads it."""
    con.execute("set threads = 1")  # row_number() over () = position in the file
    try:
        con.execute(
            f"""
            create or replace temp table {table} as
            select row_number() over () as _row, *
            from read_csv($path, header = true, delim = ',', quote = '"', escape = '"',
                          columns = $columns, auto_detect = false)
            """,
            {"path": str(path), "columns": {column: "VARCHAR" for column in columns}},
        )
    finally:
        con.execute("reset threads")
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def _write(con: duckdb.DuckDBPyConnection, query: str, params: dict, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    relation = con.sql(query, params=params)
    compression = "gzip" if path.suffix == ".gz" else None
    relation.write_csv(str(path), header=True, compression=compression, overwrite=True)
    return con.execute(f"select count(*) from ({query})", params).fetchall()[0][0]


def _quoted_list(columns: tuple[str, ...], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{column}"' for column in columns)


def scale_igo(con: duckdb.DuckDBPyConnection, source, shipped_raw: Path, target_raw: Path,
              scale: int) -> dict:
    """IGO-year rosters repeated under k - 1 synthetic IGOs; the list gets matching rows."""
    rows = {}
    memberships = source.file("state_year_igo")
    spec = _spec("cow_igo", "state_year_igo")
    _read_shipped(con, memberships.path, spec.columns, "shipped_igo_memberships")
    # Row c of the unnest is copy c of the same record, so the file stays in the shipped order
    # with each record's synthetic copies beside it.
    rows[memberships.name] = _write(
        con,
        """
        select
            ccode,
            year,
            case when copy = 0 then ioname else ioname || $suffix || copy end as ioname,
            status
        from (select *, unnest(range($scale)) as copy from shipped_igo_memberships)
        order by _row, copy
        """,
        {"scale": scale, "suffix": SYNTHETIC_SUFFIX},
        target_raw / memberships.path.relative_to(shipped_raw),
    )
    igo_list = source.file("igo_list")
    list_spec = _spec("cow_igo", "igo_list")
    _read_shipped(con, igo_list.path, list_spec.columns, "shipped_igo_list")
    renamed = {
        "ioname": "ioname || $suffix || copy",
        "ioname_lower": "ioname_lower || $suffix || copy",
        "orgname": "'SYNTHETIC copy ' || copy || ' of ' || orgname",
        "longorgname": "'SYNTHETIC copy ' || copy || ' of ' || longorgname",
    }
    select_list = ", ".join(
        f'case when copy = 0 then "{c}" else {renamed[c]} end as "{c}"' if c in renamed
        else f'"{c}"'
        for c in list_spec.columns
    )
    rows[igo_list.name] = _write(
        con,
        f"""
        select {select_list}
        from (select *, unnest(range($scale)) as copy from shipped_igo_list)
        order by copy, _row
        """,
        {"scale": scale, "suffix": SYNTHETIC_SUFFIX},
        target_raw / igo_list.path.relative_to(shipped_raw),
    )
    return rows


def scale_mme(con: duckdb.DuckDBPyConnection, source, shipped_raw: Path, target_raw: Path,
              scale: int, seed: int) -> dict:
    """k - 1 copies of every exercise, each with the roster of a same-year exercise."""
    exercises, participants = source.file("exercises"), source.file("participants")
    exercise_spec, participant_spec = _spec("mme", "exercises"), _spec("mme", "participants")
    n_exercises = _read_shipped(con, exercises.path, exercise_spec.columns, "shipped_exercises")
    _read_shipped(con, participants.path, participant_spec.columns, "shipped_participants")
    # copy c of exercise `target` (file row c * n + target) takes the roster of `roster_from`,
    # an exercise with the same start year; copy 0 is the shipped file itself.
    con.execute(
        """
        create or replace temp table roster_map as
        with copies as (
            select _row, "s.year" as start_year, unnest(range($scale)) as copy
            from shipped_exercises
        ),
        ranked as (
            select
                *,
                row_number() over (partition by copy, start_year order by _row) as slot,
                row_number() over (
                    partition by copy, start_year
                    order by case when copy = 0 then 0 else hash($seed, copy, _row) end, _row
                ) as draw
            from copies
        )
        select
            target.copy,
            target._row as target_row,
            source._row as roster_from,
            target.copy * $n + target._row as mme_row
        from ranked as target
        inner join ranked as source
            on target.copy = source.copy
            and target.start_year is not distinct from source.start_year
            and target.slot = source.draw
        """,
        {"scale": scale, "seed": seed, "n": n_exercises},
    )
    roster_columns = {"AdditionalParticipantInfo"} | {
        c for c in exercise_spec.columns if c.startswith("State")
    }
    synthetic_id = (
        "case when m.copy = 0 then target.\"MMEID\" else target.\"MMEID\" || '-syn' || m.copy end"
    )

    def exercise_column(column: str) -> str:
        if column == "MMEID":
            return f'{synthetic_id} as "MMEID"'
        return f'{"roster" if column in roster_columns else "target"}."{column}"'

    exercise_select = ", ".join(exercise_column(c) for c in exercise_spec.columns)
    rows = {
        exercises.name: _write(
            con,
            f"""
            select {exercise_select}
            from roster_map as m
            inner join shipped_exercises as target on m.target_row = target._row
            inner join shipped_exercises as roster on m.roster_from = roster._row
            order by m.mme_row
            """,
            {},
            target_raw / exercises.path.relative_to(shipped_raw),
        )
    }
    participant_select = {
        "mme_row": "cast(m.mme_row as varchar)",
        "MMEID": synthetic_id,
        "s_year": 'target."s.year"',
        "e_year": 'target."e.year"',
    }
    rows[participants.name] = _write(
        con,
        f"""
        select {", ".join(
            f'{participant_select[c]} as "{c}"' if c in participant_select else f'p."{c}"'
            for c in participant_spec.columns
        )}
        from roster_map as m
        inner join shipped_exercises as target on m.target_row = target._row
        inner join shipped_participants as p on cast(p.mme_row as bigint) = m.roster_from
        order by m.mme_row, p._row
        """,
        {},
        target_raw / participants.path.relative_to(shipped_raw),
    )
    return rows


def scale_register(shipped_raw: Path, target_raw: Path, scale: int) -> dict:
    """The analysts' register files copied as they are, plus k - 1 synthetic copies of each fact.

    A copy's citation is prefixed "SYNTHETIC copy c of:", which makes it a distinct fact (the
    register's duplicate rule compares citations) whose counts, dates and codes are real ones.
    """
    source_dir, target_dir = register.register_dir(shipped_raw), register.register_dir(target_raw)
    if not source_dir.is_dir():
        return {}
    shutil.copytree(source_dir, target_dir)
    facts = [cells for path in register.register_files(source_dir)
             for _, cells in register.read_rows(path)]
    citation = register.COLUMNS.index("source_citation")
    notes = register.COLUMNS.index("notes")
    if scale > 1 and facts:
        with (target_dir / SYNTHETIC_REGISTER_FILE).open("w", encoding="utf-8",
                                                         newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(register.COLUMNS)
            for copy in range(1, scale):
                for cells in facts:
                    row = list(cells)
                    row[citation] = f"SYNTHETIC copy {copy} of: {row[citation] or ''}"
                    row[notes] = f"SYNTHETIC benchmark fact. {row[notes] or ''}".strip()
                    writer.writerow(["" if cell is None else cell for cell in row])
    return {"register_facts": len(facts) * scale}


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise BenchError(f"cannot write {value!r} to TOML")


def write_manifest(path: Path, document: dict) -> None:
    """Write a sources.toml of the shape raw_manifest reads (tables and arrays of tables)."""
    lines = ["# SYNTHETIC benchmark data written by pipelines/bench/synthetic.py: not real data."]
    for source_id, entry in document["sources"].items():
        lines += ["", f"[sources.{source_id}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in entry.items()
                  if key != "files"]
        for file_entry in entry.get("files", []):
            lines += ["", f"[[sources.{source_id}.files]]"]
            lines += [f"{key} = {_toml_value(value)}" for key, value in file_entry.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _label(entry: dict, scale: int, seed: int, scaled: bool) -> dict:
    how = (f"events multiplied {scale}x by pipelines/bench/synthetic.py (seed {seed})" if scaled
           else "rows copied unchanged from the shipped file")
    return {
        **entry,
        "dataset": f"SYNTHETIC x{scale} benchmark data based on {entry['dataset']}",
        "version": f"{entry['version']}+synthetic-x{scale}",
        "citation": f"SYNTHETIC, not real data ({how}). Based on: {entry['citation']}",
        "origin": f"SYNTHETIC: {how}, from the shipped raw/ ({entry['origin']})",
    }


def _stamp(shipped_manifest: Path, scale: int, seed: int) -> dict:
    return {"generator_version": GENERATOR_VERSION, "scale": scale, "seed": seed,
            "shipped_manifest_sha256": sha256_of(shipped_manifest)}


def generate(shipped_raw: Path, target_raw: Path, scale: int, seed: int = 0,
             reuse: bool = True) -> SyntheticData:
    """Write synthetic raw files at `scale` times the shipped volume into `target_raw`.

    A directory already generated with the same shipped inputs, scale, seed and generator
    version is reused (generating 100x takes minutes).
    """
    if scale < 1:
        raise BenchError(f"scale must be a whole number >= 1, got {scale}")
    shipped_raw, target_raw = shipped_raw.resolve(), target_raw.resolve()
    if target_raw == shipped_raw or shipped_raw in target_raw.parents:
        raise BenchError(f"{target_raw}: synthetic data must not be written inside {shipped_raw}")
    shipped_manifest = shipped_raw / "sources.toml"
    stamp = _stamp(shipped_manifest, scale, seed)
    # Beside raw/, not in it: raw/ holds only what sources.toml lists.
    stamp_path = target_raw.parent / STAMP_FILE
    if reuse and stamp_path.is_file():
        recorded = json.loads(stamp_path.read_text(encoding="utf-8"))
        if {k: recorded.get(k) for k in stamp} == stamp:
            return SyntheticData(target_raw, scale, seed, recorded.get("rows", {}), reused=True)
    stamp_path.unlink(missing_ok=True)
    if target_raw.exists():
        shutil.rmtree(target_raw)
    target_raw.mkdir(parents=True)

    sources = read_manifest(shipped_manifest)
    document = tomllib.loads(shipped_manifest.read_text(encoding="utf-8"))
    rows: dict[str, int] = {}
    # Generation sorts 68 million rows at 100x: capped like a refresh, it spills rather than
    # taking 8 GB of a machine others use.
    spill = target_raw.parent / ".spill"
    con = duckdb.connect(config={"memory_limit": default_duckdb_memory_limit(),
                                 "temp_directory": str(spill)})
    try:
        for source_id, source in sources.items():
            if source_id == "cow_igo":
                rows.update(scale_igo(con, source, shipped_raw, target_raw, scale))
            elif source_id == "mme":
                rows.update(scale_mme(con, source, shipped_raw, target_raw, scale, seed))
            else:
                for raw_file in source.files:
                    destination = target_raw / raw_file.path.relative_to(shipped_raw)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(raw_file.path, destination)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    rows.update(scale_register(shipped_raw, target_raw, scale))

    for source_id, entry in list(document["sources"].items()):
        labelled = _label(entry, scale, seed, source_id in SCALED_SOURCES)
        document["sources"][source_id] = labelled
        for file_entry in labelled.get("files", []):
            file_entry["sha256"] = sha256_of(target_raw / file_entry["path"])
            if "rows" in file_entry and file_entry["name"] in rows:
                file_entry["rows"] = rows[file_entry["name"]]
    write_manifest(target_raw / "sources.toml", document)
    read_manifest(target_raw / "sources.toml")  # the loader must accept what was written
    stamp_path.write_text(json.dumps({**stamp, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    return SyntheticData(target_raw, scale, seed, rows)

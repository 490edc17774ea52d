"""Discover the SQL models in sql/, order them by their references, build and check them.

A model is one file `sql/<layer>/<name>.sql` holding one `select`.  Its dependencies are the
other models, raw tables and seeds it names, found by reading the file, so the build order is
derived from the SQL itself and cannot drift from it.  Materialisation is declared once per
layer.  A staging or intermediate model's header comments declare its contract:

    -- grain: one row per (ccode, year)
    -- key: ccode, year
    -- not_null: ccode, year, country
    -- accepted_values: atop_defense = 0, 1

A mart's contract is its metadata file beside it, sql/marts/<mart>.toml
(pipelines/mart_metadata.py): the declared column names and types are compared with the
planned select before the mart is built, and its key, not-null and accepted-values checks run
after the build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import duckdb

from pipelines.errors import CoopError, ModelCheckError
from pipelines.mart_metadata import MartMeta, read_marts, type_problems

LAYERS = ("staging", "intermediate", "marts")
MATERIALISATION = {"staging": "view", "intermediate": "table", "marts": "table"}
# raw_: loaded files; seed_: seeds/*.csv; py_: tables the indices stage computes in Python.
_EXTERNAL_PREFIXES = ("raw_", "seed_", "py_")
PYTHON_TABLE_PREFIX = "py_"
_IDENTIFIER = re.compile(r"\b([a-z_][a-z0-9_]*)\b")
_LINE_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    path: Path
    sql: str
    depends_on: frozenset[str]
    grain: str = ""
    key: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()
    accepted_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: str = ""  # the header's free-text comment lines: what the model holds and why
    # The macros (sql/macros/*.sql) this model calls that read models: created before it.
    macros: tuple[Macro, ...] = ()
    # A mart's metadata file (sql/marts/<mart>.toml), the source of its contract.
    metadata: MartMeta | None = None

    @property
    def fingerprint_text(self) -> str:
        """What defines the model besides its inputs: its SQL and, for a mart, its contract."""
        return self.sql + (self.metadata.contract_text if self.metadata else "")

    @property
    def materialisation(self) -> str:
        return MATERIALISATION[self.layer]


def _header_value(sql: str, label: str) -> list[str]:
    values = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        match = re.match(rf"--\s*{label}:\s*(.+)", stripped)
        if match:
            values.append(match.group(1).strip())
    return values


_HEADER_LABEL = re.compile(
    r"--\s*(grain|key|not_null|accepted_values|grain, key, columns and checks):"
)


def _header_notes(sql: str) -> str:
    """The header's free-text comment lines (those that are not grain/key/checks)."""
    notes = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        if not _HEADER_LABEL.match(stripped):
            notes.append(stripped[2:].strip())
    return " ".join(notes)


def _split_names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


_MACRO_NAME = re.compile(r"create\s+(?:or\s+replace\s+)?macro\s+([a-z_][a-z0-9_]*)", re.I)
_STATEMENT_END = re.compile(r";[ \t]*(?:--[^\n]*)?$", re.M)


@dataclass(frozen=True)
class Macro:
    """One `create macro` statement of sql/macros/*.sql and the models its body reads."""

    name: str
    path: Path
    statement: str
    reads: frozenset[str]


def discover_macros(sql_dir: Path, model_names: set[str] | None = None) -> list[Macro]:
    """Every macro; `reads` holds the models (or raw/seed tables) its body queries.

    DuckDB binds a macro's tables when the macro is created, so a macro that reads models is
    created during the build, once those models exist (see build_models), and every model
    that calls it is ordered after the models it reads.
    """
    if model_names is None:
        model_names = {
            path.stem for layer in LAYERS for path in (sql_dir / layer).glob("*.sql")
        }
    found = []
    for path in sorted((sql_dir / "macros").glob("*.sql")):
        for statement in _STATEMENT_END.split(path.read_text(encoding="utf-8")):
            code = _LINE_COMMENT.sub("", statement).lower()
            name = _MACRO_NAME.search(code)
            if not name:
                continue
            reads = frozenset(
                word for word in set(_IDENTIFIER.findall(code))
                if word in model_names or word.startswith(_EXTERNAL_PREFIXES)
            )
            found.append(Macro(name.group(1), path, statement.strip(), reads))
    return found


def _calls(code: str, words: set[str], macro: Macro) -> bool:
    return macro.name in words and re.search(rf"\b{macro.name}\s*\(", code) is not None


def discover_models(sql_dir: Path, mart_metadata: bool = True) -> dict[str, Model]:
    """Every model under `sql_dir`, with its dependencies and declared checks.

    Marts take their contract from the metadata file beside them (`mart_metadata`); the
    event layer's marts (sql/events/, docs/events.md) declare theirs in their SQL header and
    are checked by the event gate, so it passes ``mart_metadata=False``.
    """
    paths = {
        path.stem: (layer, path)
        for layer in LAYERS
        for path in sorted((sql_dir / layer).glob("*.sql"))
    }
    reading_macros = [m for m in discover_macros(sql_dir, set(paths)) if m.reads]
    marts = read_marts(sql_dir) if mart_metadata else {}
    # The generated union of rejects is a model too (see rejects_model), when there is one.
    if any(
        path.stem.endswith(CHECKED_SUFFIX)
        for layer, path in paths.values()
        if layer == "intermediate"
    ):
        paths[REJECTS_MODEL] = ("intermediate", sql_dir / "intermediate" / f"{REJECTS_MODEL}.sql")
    models: dict[str, Model] = {}
    for name, (layer, path) in paths.items():
        if name == REJECTS_MODEL:
            continue
        sql = path.read_text(encoding="utf-8")
        code = _LINE_COMMENT.sub("", sql).lower()
        words = set(_IDENTIFIER.findall(code))
        uses = tuple(m for m in reading_macros if _calls(code, words, m))
        for macro in uses:
            words |= macro.reads
        depends_on = frozenset(
            word
            for word in words
            if word != name and (word in paths or word.startswith(_EXTERNAL_PREFIXES))
        )
        meta = marts.get(name) if layer == "marts" else None
        if meta is not None:
            grain, key, not_null = meta.grain, meta.key, meta.not_null
            accepted = meta.accepted_values
        else:
            grain = (_header_value(sql, "grain") or [""])[0]
            key = _split_names((_header_value(sql, "key") or [""])[0])
            not_null = _split_names((_header_value(sql, "not_null") or [""])[0])
            accepted = {}
            for entry in _header_value(sql, "accepted_values"):
                column, _, values = entry.partition("=")
                accepted[column.strip()] = _split_names(values)
        models[name] = Model(
            name=name,
            layer=layer,
            path=path,
            sql=sql,
            depends_on=depends_on,
            grain=grain,
            key=key,
            not_null=not_null,
            accepted_values=accepted,
            notes=_header_notes(sql),
            macros=uses,
            metadata=meta,
        )
    rejects = rejects_model(sql_dir, models)
    if rejects is not None:
        models[rejects.name] = rejects
    return models


# The runner writes this model: every record any *_checked model rejected, found by name, so
# a new source's rejects reach mart_quarantine without anyone editing a union by hand.
REJECTS_MODEL = "int_checked_rejects_unioned"
CHECKED_SUFFIX = "_checked"


def rejects_model(sql_dir: Path, models: dict[str, Model]) -> Model | None:
    """The generated union of the rejects of every intermediate `*_checked` model.

    Every checked model keeps all its source's records with a `reject` struct (NULL when
    accepted) and the lineage columns source_id, source_file and row_number.
    """
    checked = sorted(
        name
        for name, model in models.items()
        if model.layer == "intermediate" and name.endswith(CHECKED_SUFFIX)
    )
    if not checked:
        return None
    arms = "\nunion all\n".join(
        "select\n    source_id,\n    source_file,\n    row_number,\n    reject\n"
        f"from {name}\nwhere reject is not null"
        for name in checked
    )
    header = (
        "-- grain: one row per raw record a *_checked model rejected\n"
        "-- key: source_file, row_number\n"
        f"-- Generated by pipelines/models.py from the models named *{CHECKED_SUFFIX}.\n"
    )
    return Model(
        name=REJECTS_MODEL,
        layer="intermediate",
        path=sql_dir / "intermediate" / f"{REJECTS_MODEL}.sql",
        sql=header + arms + "\n",
        depends_on=frozenset(checked),
        grain="one row per raw record a *_checked model rejected",
        key=("source_file", "row_number"),
        notes=f"Generated by pipelines/models.py from the models named *{CHECKED_SUFFIX}.",
    )


def build_order(models: dict[str, Model]) -> list[str]:
    graph = {
        name: {dep for dep in model.depends_on if dep in models} for name, model in models.items()
    }
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise CoopError(f"SQL models reference each other in a cycle: {exc.args[1]}") from exc


def upstream_of(models: dict[str, Model], targets: set[str]) -> set[str]:
    """The targets and every model they depend on, directly or not."""
    seen: set[str] = set()
    stack = list(targets)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(dep for dep in models[name].depends_on if dep in models)
    return seen


def _create_macro(con: duckdb.DuckDBPyConnection, macro: Macro) -> None:
    try:
        con.execute(macro.statement)
    except duckdb.Error as exc:
        raise CoopError(f"{macro.path}: failed to create macro {macro.name}: {exc}") from exc


def create_macros(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """Create the shared SQL macros (sql/macros/*.sql) that read no model; the others are
    created by build_models once the models they read exist."""
    for macro in discover_macros(sql_dir):
        if not macro.reads:
            _create_macro(con, macro)


def downstream_of_python(models: dict[str, Model]) -> set[str]:
    """Models that read a py_ table, directly or through another model: built after Python."""
    found = {
        name
        for name, model in models.items()
        if any(dep.startswith(PYTHON_TABLE_PREFIX) for dep in model.depends_on)
    }
    changed = True
    while changed:
        changed = False
        for name, model in models.items():
            if name not in found and model.depends_on & found:
                found.add(name)
                changed = True
    return found


def _body(sql: str) -> str:
    return sql.strip().rstrip(";")


def build_models(
    con: duckdb.DuckDBPyConnection, models: dict[str, Model], only: set[str] | None = None
) -> list[str]:
    """Create every model (or those in `only`) in dependency order; returns the names built."""
    built = []
    created: set[str] = set()
    for name in build_order(models):
        if only is not None and name not in only:
            continue
        model = models[name]
        for macro in model.macros:
            if macro.name not in created:
                _create_macro(con, macro)
                created.add(macro.name)
        if model.metadata is not None:
            check_types_before_build(con, model)
        try:
            con.execute(f"create or replace {model.materialisation} {name} as\n{_body(model.sql)}")
        except duckdb.Error as exc:
            raise CoopError(f"{model.path}: failed to build: {exc}") from exc
        built.append(name)
    return built


def check_types_before_build(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """The mart's planned columns and types must be the declared ones (dbt-style contract):
    `describe` plans the select without running it, so a drift stops before any work."""
    try:
        described = con.execute(f"describe {_body(model.sql)}").fetchall()
    except duckdb.Error as exc:
        raise CoopError(f"{model.path}: failed to build: {exc}") from exc
    problems = type_problems(model.metadata.types, [(row[0], row[1]) for row in described])
    if problems:
        raise ModelCheckError(
            f"{model.path}: its columns differ from {model.metadata.path.name} (nothing was "
            f"built): {'; '.join(problems)}. If the change is intended, update the [columns] "
            f"of {model.metadata.path} (`coop contracts --write` writes the types)."
        )


def check_queries(model: Model) -> dict[str, str]:
    """Queries that return the rows violating the model's contract (empty = pass)."""
    queries = {}
    if model.key:
        keys = ", ".join(model.key)
        queries["unique key"] = (
            f"select {keys}, count(*) as n_rows from {model.name} group by all having count(*) > 1"
        )
    for column in model.not_null + tuple(c for c in model.key if c not in model.not_null):
        queries[f"not null {column}"] = f"select * from {model.name} where {column} is null"
    for column, values in model.accepted_values.items():
        allowed = ", ".join(values)
        queries[f"accepted values {column}"] = (
            f"select {column}, count(*) as n_rows from {model.name} "
            f"where {column} is not null and {column} not in ({allowed}) group by all"
        )
    return queries


def _counting_query(model: Model) -> tuple[list[str], str] | None:
    """One scan of the model that counts the violations of each of its checks."""
    names, parts = [], []
    if model.key:
        keys = ", ".join(model.key)
        names.append("unique key")
        parts.append(
            f"(select count(*) from (select {keys} from {model.name} "
            f"group by all having count(*) > 1))"
        )
    for column in model.not_null + tuple(c for c in model.key if c not in model.not_null):
        names.append(f"not null {column}")
        parts.append(f"count(*) filter (where {column} is null)")
    for column, values in model.accepted_values.items():
        names.append(f"accepted values {column}")
        parts.append(
            f"count(*) filter (where {column} is not null and {column} not in "
            f"({', '.join(values)}))"
        )
    if not parts:
        return None
    return names, f"select {', '.join(parts)} from {model.name}"


def run_checks(
    con: duckdb.DuckDBPyConnection,
    models: dict[str, Model],
    layer: str | None = "marts",
    only: set[str] | None = None,
) -> dict[str, int]:
    """Run the declared checks of the layer's models (every layer when None; or those in
    `only`); raise on failure, naming each failing check with up to three examples.

    Each model is scanned once for all its checks; staging and intermediate models are checked
    from their header's key, not_null and accepted_values, marts from their metadata file.
    """
    failures = []
    counts: dict[str, int] = {}
    for model in models.values():
        if (layer is not None and model.layer != layer) or (
            only is not None and model.name not in only
        ):
            continue
        counting = _counting_query(model)
        if counting is None:
            continue
        names, query = counting
        found = con.execute(query).fetchone()
        queries = check_queries(model)
        for check, violations in zip(names, found, strict=True):
            counts[f"{model.name}: {check}"] = violations
            if violations:
                example = con.execute(f"{queries[check]} limit 3").fetchall()
                failures.append(f"{model.name}: {check}: {violations} violation(s), e.g. {example}")
    if failures:
        raise ModelCheckError(
            "Built models fail their declared checks; nothing was published:\n  "
            + "\n  ".join(failures)
        )
    return counts

"""`coop register check FILE`: validate a register file before it is added to raw/register/.

One implementation of the rules: the file is loaded, with the register's existing files and
the COW state list, into an in-memory DuckDB, and the same staging and checked SQL models the
refresh builds decide each row. So a file that passes here is accepted whole by the refresh,
and a row rejected here is quarantined there with the same rule and reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines import models
from pipelines.errors import InputFileError
from pipelines.loading import load_seeds, load_source_coverage
from pipelines.raw_manifest import read_manifest
from pipelines.settings import Settings
from pipelines.sources import cow_states, register
from pipelines.sources.base import load_csv

CHECKED_MODEL = "int_register_facts_checked"
RULE_MODELS = ("stg_seeds__quarantine_rules", "stg_seeds__register_rules")

# The same reason text as mart_quarantine: "<rule description>: <column> = <value>".
_PROBLEMS = f"""
with

rules as (
    select rule, description from {RULE_MODELS[0]}
    union all
    select rule, description from {RULE_MODELS[1]}
)

select
    facts.row_number,
    facts.reject.rule,
    facts.reject.column_name,
    facts.reject.value,
    coalesce(rules.description, facts.reject.rule)
    || ': ' || facts.reject.column_name
    || ' = ' || coalesce(facts.reject.value, 'NULL') as reason
from {CHECKED_MODEL} as facts
left join rules on facts.reject.rule = rules.rule
where facts.file_order = $file_order and facts.reject is not null
order by facts.row_number
"""

_STATUSES = f"""
select status, count(*) from {CHECKED_MODEL}
where file_order = $file_order and reject is null
group by status order by status
"""


@dataclass(frozen=True)
class Problem:
    row_number: int
    rule: str
    column_name: str
    value: str | None
    reason: str


@dataclass
class CheckResult:
    path: Path
    rows: int
    problems: list[Problem] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    compared_with: list[str] = field(default_factory=list)
    # What the reader accepted but a person should look at (hidden rows, merged cells).
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.rows - len(self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems


def _load_reference(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The COW state list (verified against raw/sources.toml), coverage and seeds."""
    sources = read_manifest(settings.sources_manifest)
    if cow_states.SOURCE_ID not in sources:
        raise InputFileError(
            f"{settings.sources_manifest}: no [sources.{cow_states.SOURCE_ID}] entry; the "
            f"register's countries are checked against the COW state list."
        )
    for spec in cow_states.FILES:
        load_csv(con, sources[cow_states.SOURCE_ID].file(spec.file_name), spec)
    load_source_coverage(con, sources)
    load_seeds(con, settings.seeds_dir)


def check_file(settings: Settings, path: Path) -> CheckResult:
    """Every bad row of `path`, with the rule and reason the refresh would quarantine it for.

    Duplicates are looked for in the file itself and in the register's other files; a file
    of the same name in raw/register/ is the one `path` replaces, so it is left out.
    File-level problems (header, encoding, unreadable) raise InputFileError.
    """
    path = path.resolve()
    content = register.read_file(path)
    existing = [
        other
        for other in register.register_files(register.register_dir(settings.raw_dir))
        if other.name != path.name
    ]
    con = duckdb.connect()
    try:
        _load_reference(con, settings)
        register.load_files(con, [*existing, path])
        all_models = models.discover_models(settings.sql_dir)
        models.create_macros(con, settings.sql_dir)
        needed = models.upstream_of(all_models, {CHECKED_MODEL, *RULE_MODELS})
        models.build_models(con, all_models, only=needed)
        params = {"file_order": len(existing) + 1}
        problems = [Problem(*row) for row in con.execute(_PROBLEMS, params).fetchall()]
        statuses = dict(con.execute(_STATUSES, params).fetchall())
    finally:
        con.close()
    return CheckResult(
        path=path,
        rows=len(content.rows),
        problems=problems,
        statuses=statuses,
        compared_with=[other.name for other in existing],
        warnings=list(content.warnings),
    )


def summarise_rules(result: CheckResult) -> Counter:
    return Counter(problem.rule for problem in result.problems)

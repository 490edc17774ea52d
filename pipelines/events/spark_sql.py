"""DuckDB SQL -> Spark SQL: sqlglot (pinned exactly) plus coop's rewrite rules, and a lint.

sqlglot copies what it does not know through *silently*: DuckDB macros (`as_int`),
`regexp_full_match`, `try_strptime`, and regex literals whose POSIX classes (`[[:space:]]`)
Java reads as sets of letters. So a Spark-marked model (header `-- engines: duckdb, spark`) is
transpiled in three steps:

1. macros from sql/macros/*.sql are inlined (their parameters substituted in the AST);
2. rewrite rules turn each known trap into Spark's equivalent (below, `_rewrite`);
3. the lint walks the rewritten tree and FAILS on anything that would not run on Spark or would
   run differently: an unknown function, a POSIX class left in a pattern, `* EXCLUDE` without a
   schema to expand it, `string_agg` ordered by another expression, QUALIFY, DuckDB-only
   functions with no rule. A model the lint rejects is never sent to Spark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp

from pipelines.errors import CoopError

SQLGLOT_VERSION = "30.30.0"  # must equal pyproject.toml's pin: the parity tests check this
SPARK_MARK = re.compile(r"^--\s*engines:.*\bspark\b", re.MULTILINE)

# POSIX bracket classes -> Java's \p{...} classes (identical meaning, ASCII).
_POSIX = {
    "alnum": r"\p{Alnum}", "alpha": r"\p{Alpha}", "blank": r"\p{Blank}", "cntrl": r"\p{Cntrl}",
    "digit": r"\p{Digit}", "graph": r"\p{Graph}", "lower": r"\p{Lower}", "print": r"\p{Print}",
    "punct": r"\p{Punct}", "space": r"\p{Space}", "upper": r"\p{Upper}", "xdigit": r"\p{XDigit}",
}
_POSIX_CLASS = re.compile(r"\[:([a-z]+):\]")
# strftime codes -> Java DateTimeFormatter patterns (the ones our models may use).
_STRFTIME = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss",
             "%y": "yy", "%j": "DDD", "%b": "MMM", "%B": "MMMM", "%%": "%"}
# Functions sqlglot knows in DuckDB but Spark lacks or runs differently, with no rule here.
_DUCKDB_ONLY = {
    "getvariable", "struct_pack", "list_transform", "list_filter", "list_reduce", "epoch_ms",
    "regexp_matches", "string_split_regex", "strptime", "strftime", "date_diff", "datediff",
    "date_sub", "age", "list_aggregate", "array_agg", "median", "quantile_cont",
}
# Spark's own functions that sqlglot writes as anonymous calls: allowed after rewriting.
_SPARK_ANONYMOUS_OK = {"try_to_timestamp", "make_date", "array_join", "array_sort",
                       "collect_list", "rlike"}


class SparkLintError(CoopError):
    """A Spark-marked model uses a construct that would not run, or run differently, on Spark."""


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression


def read_macros(sql_dir: Path) -> dict[str, Macro]:
    """The `create [or replace] macro name(params) as expr` definitions of sql/macros/."""
    macros: dict[str, Macro] = {}
    pattern = re.compile(
        r"create\s+(?:or\s+replace\s+)?macro\s+([a-z_][a-z0-9_]*)\s*\(([^)]*)\)\s+as\s+(.*?);",
        re.IGNORECASE | re.DOTALL,
    )
    for path in sorted((sql_dir / "macros").glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        for name, params, body in pattern.findall(text):
            if re.match(r"\s*table\b", body, re.IGNORECASE):
                # A table macro (sql/macros/covered_frames.sql) is no expression to inline;
                # a Spark-marked model that calls one fails the lint as an unknown function.
                continue
            macros[name.lower()] = Macro(
                name.lower(),
                tuple(p.strip().lower() for p in params.split(",") if p.strip()),
                sqlglot.parse_one(body, read="duckdb"),
            )
    return macros


def is_spark_model(sql: str) -> bool:
    return bool(SPARK_MARK.search(sql))


def _inline_macros(tree: exp.Expression, macros: dict[str, Macro]) -> exp.Expression:
    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() in macros:
            macro = macros[node.name.lower()]
            if len(node.expressions) != len(macro.params):
                raise SparkLintError(
                    f"macro {macro.name} takes {len(macro.params)} argument(s), "
                    f"got {len(node.expressions)}"
                )
            arguments = dict(zip(macro.params, node.expressions, strict=True))

            def substitute(inner: exp.Expression) -> exp.Expression:
                if isinstance(inner, exp.Column) and not inner.table and (
                    inner.name.lower() in arguments
                ):
                    return arguments[inner.name.lower()].copy()
                return inner

            return _inline_macros(macro.body.copy().transform(substitute), macros)
        return node

    return tree.transform(replace)


def _java_regex(pattern: str) -> str:
    def translate(match: re.Match) -> str:
        name = match.group(1)
        if name not in _POSIX:
            raise SparkLintError(f"POSIX class [:{name}:] has no Java equivalent here")
        return _POSIX[name]

    return _POSIX_CLASS.sub(translate, pattern)


def _java_format(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        code = fmt[i:i + 2]
        if fmt[i] == "%":
            if code not in _STRFTIME:
                raise SparkLintError(f"strptime format code {code} has no rule")
            out.append(_STRFTIME[code])
            i += 2
        else:
            out.append(f"'{fmt[i]}'" if fmt[i].isalpha() else fmt[i])
            i += 1
    return "".join(out)


def _regex_literal(node: exp.Expression, what: str) -> exp.Literal:
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise SparkLintError(f"{what}: the pattern must be a string literal to be checked")
    return node


def _rewrite(node: exp.Expression, schema: dict[str, list[str]] | None) -> exp.Expression:
    name = node.name.lower() if isinstance(node, exp.Anonymous) else ""
    # regexp_full_match(s, p): DuckDB matches the whole string -> s rlike '^(?:p)$'
    if name == "regexp_full_match" or isinstance(node, exp.RegexpFullMatch if hasattr(
            exp, "RegexpFullMatch") else ()):
        args = node.expressions if isinstance(node, exp.Anonymous) else [node.this,
                                                                          node.expression]
        pattern = _regex_literal(args[1], "regexp_full_match")
        anchored = exp.Literal.string(f"^(?:{_java_regex(pattern.this)})$")
        return exp.RegexpLike(this=args[0].copy(), expression=anchored)
    if isinstance(node, exp.RegexpLike | exp.RegexpExtract | exp.RegexpReplace):
        pattern = node.expression
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            node.set("expression", exp.Literal.string(_java_regex(pattern.this)))
        return node
    # try_strptime(s, '%Y...') -> try_to_timestamp(s, 'yyyy...')
    if name == "try_strptime":
        value, fmt = node.expressions
        fmt = _regex_literal(fmt, "try_strptime")
        return exp.Anonymous(this="try_to_timestamp", expressions=[
            value.copy(), exp.Literal.string(_java_format(fmt.this))])
    # string_agg(x, sep order by x) -> array_join(array_sort(collect_list(x)), sep)
    if isinstance(node, exp.GroupConcat) and isinstance(node.this, exp.Order):
        order = node.this
        value = order.this
        keys = order.expressions
        if len(keys) != 1 or keys[0].this != value or keys[0].args.get("desc"):
            raise SparkLintError(
                "string_agg ordered by another expression (or descending) has no rule: "
                "order by the aggregated value itself"
            )
        separator = node.args.get("separator") or exp.Literal.string(",")
        return exp.Anonymous(this="array_join", expressions=[
            exp.Anonymous(this="array_sort", expressions=[
                exp.Anonymous(this="collect_list", expressions=[value.copy()])]),
            separator.copy()])
    # select * exclude (a, b) from t -> the other columns, when the schema of t is known
    if isinstance(node, exp.Star) and node.args.get("except_"):
        raise SparkLintError("`* EXCLUDE` needs a schema to expand")  # handled in _expand
    return node


def _expand_star_exclude(select: exp.Select, schema: dict[str, list[str]] | None) -> None:
    for i, projection in enumerate(list(select.expressions)):
        star = projection if isinstance(projection, exp.Star) else (
            projection.this if isinstance(projection, exp.Column)
            and isinstance(projection.this, exp.Star) else None)
        if star is None or not star.args.get("except_"):
            continue
        sources = [t.name.lower() for t in select.find_all(exp.Table)
                   if t.find_ancestor(exp.Select) is select]
        if schema is None or len(sources) != 1 or sources[0] not in schema:
            raise SparkLintError(
                "`* EXCLUDE` with no known schema for its one source table: Spark rejects it. "
                "List the columns, or run with the upstream schemas."
            )
        excluded = {c.name.lower() for c in star.args["except_"]}
        columns = [exp.column(c) for c in schema[sources[0]] if c.lower() not in excluded]
        select.set("expressions", select.expressions[:i] + columns + select.expressions[i + 1:])


def _lint(tree: exp.Expression) -> list[str]:
    problems = []
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            fname = node.name.lower()
            if fname not in _SPARK_ANONYMOUS_OK:
                problems.append(f"function {fname}() is unknown to sqlglot and has no rule: "
                                f"it would be copied to Spark unchanged")
        elif isinstance(node, exp.Func):
            sql_name = node.sql_name().lower() if hasattr(node, "sql_name") else ""
            if sql_name in _DUCKDB_ONLY:
                problems.append(f"function {sql_name}() is DuckDB-only or differs on Spark")
        if isinstance(node, exp.Qualify):
            problems.append("QUALIFY is not Spark SQL: filter a window column in an outer CTE")
        if isinstance(node, exp.Literal) and node.is_string and _POSIX_CLASS.search(node.this):
            problems.append(f"string {node.this!r} holds a POSIX class ([:name:]); Java regex "
                            f"reads it as a set of letters")
        if isinstance(node, exp.Star) and node.args.get("except_"):
            problems.append("`* EXCLUDE` is not Spark SQL")
        if isinstance(node, exp.Star) and node.args.get("replace"):
            problems.append("`* REPLACE` is not Spark SQL")
        if isinstance(node, exp.GroupConcat) and isinstance(node.this, exp.Order):
            problems.append("ordered string_agg is not Spark SQL")
        if isinstance(node, exp.Lambda):
            problems.append("lambda functions differ between DuckDB and Spark")
    return problems


def to_spark(sql: str, *, macros: dict[str, Macro] | None = None,
             schema: dict[str, list[str]] | None = None, model: str = "model") -> str:
    """The Spark SQL of one DuckDB model; raises SparkLintError naming every problem."""
    try:
        tree = sqlglot.parse_one(sql.strip().rstrip(";"), read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise SparkLintError(f"{model}: sqlglot cannot parse it: {exc}") from exc
    try:
        tree = _inline_macros(tree, macros or {})
        for select in list(tree.find_all(exp.Select)):
            _expand_star_exclude(select, schema)
        tree = tree.transform(lambda node: _rewrite(node, schema))
    except SparkLintError as exc:
        raise SparkLintError(f"{model}: {exc}") from exc
    problems = _lint(tree)
    if problems:
        raise SparkLintError(f"{model}: would not run, or would run differently, on Spark:\n  "
                             + "\n  ".join(dict.fromkeys(problems)))
    try:
        return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as exc:
        raise SparkLintError(f"{model}: sqlglot cannot write it for Spark: {exc}") from exc


def lint_models(sql_dir: Path, model_dir: Path) -> dict[str, str]:
    """Transpile every Spark-marked model under model_dir; raise on the first failures."""
    macros = read_macros(sql_dir)
    out, failures = {}, []
    for path in sorted(model_dir.rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        if not is_spark_model(text):
            continue
        try:
            out[path.stem] = to_spark(text, macros=macros, model=str(path))
        except SparkLintError as exc:
            failures.append(str(exc))
    if failures:
        raise SparkLintError("\n".join(failures))
    return out

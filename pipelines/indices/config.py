"""Load and validate the index definition (indices.toml) and the partner blocs (seeds/blocs.csv).

An analyst changes the index by editing indices.toml, never code. So every key is checked
here, before any computation: an unknown key, a missing key or a value outside the allowed set
raises IndexDefinitionError naming the key and the allowed values. Nothing falls back to a
default silently: the defaults below apply only to keys the file leaves out, and they are
listed in docs/methodology.md.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import CoopError

NORMALISATIONS = ("minmax", "zscore", "rank", "goalposts")
WEIGHTINGS = ("equal", "explicit", "pca")
AGGREGATIONS = ("arithmetic", "geometric")
TRANSFORMS = ("none", "log1p")
DIRECTIONS = ("positive", "negative")
PILLARS = ("institutional", "operational")
ORGANISATION_LISTS = ("nominal", "alternative")
# Operational effort: as counted, or per US$ 1 bn of military expenditure (SIPRI, constant
# US$) for the indicators marked per_milex (methodology v2, section 3.3a).
EFFORTS = ("absolute", "relative_to_milex")
CRITERIA = ("comprehensiveness", "longevity", "reciprocity", "coherence")
# How the partnership criteria combine (docs/methodology.md section 4): "gated" scales the
# extent of cooperation (comprehensiveness, longevity) by its quality (reciprocity, coherence);
# "arithmetic" is the compensatory mean of v2's first version, kept for comparison.
PARTNERSHIP_AGGREGATIONS = ("gated", "arithmetic")
MULTIVECTOR_LAYERS = ("alliance", "joint_security_igo", "joint_igo", "joint_exercise", "arms")
PARTNERSHIP_LAYERS = ("alliance", "joint_military_org", "joint_exercise", "joint_security_igo",
                      "joint_igo", "arms")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class IndexDefinitionError(CoopError):
    """indices.toml or seeds/blocs.csv is invalid; the message names the key and the fix."""


@dataclass(frozen=True)
class Indicator:
    name: str  # a column of mart_country_year
    pillar: str
    direction: str
    transform: str
    weight: float
    goalposts: tuple[float, float] | None
    source: str
    core: bool = False          # in the core composite (a fixed indicator set over time)
    carry_forward: int = 0      # years a slow commitment's last observation may be carried
    optional: bool = False      # its source is pending: an absent column is skipped, not an error
    label: str = ""
    unit: str = ""
    per_milex: bool = False     # divided by military expenditure in the relative-effort variant
    goalposts_per_milex: tuple[float, float] | None = None  # goalposts of that variant


@dataclass(frozen=True)
class Pillar:
    name: str
    label: str
    weights: str
    aggregation: str
    min_share_observed: float


@dataclass(frozen=True)
class Composite:
    normalisation: str
    weights: str
    aggregation: str
    window: int
    pillar_weights: dict[str, float]
    current_min_coverage: float = 0.5   # share of scored states observing an indicator that
                                        # puts it in the year's current set
    min_months_member: float = 6.0      # a state-year is scored only with this many months
    first_year: int | None = None       # the index years start here (None: every year)
    effort: str = "absolute"            # absolute | relative_to_milex (per_milex indicators)


@dataclass(frozen=True)
class Uncertainty:
    draws: int
    seed: int
    normalisations: tuple[str, ...]
    aggregations: tuple[str, ...]
    windows: tuple[int, ...]
    weight_concentration: float
    oat_weight_draws: int
    exclusion: bool = True
    organisation_lists: tuple[str, ...] = ("nominal", "alternative")
    corrections: tuple[bool, ...] = (True, False)
    carry_forward: tuple[bool, ...] = (True, False)
    efforts: tuple[str, ...] = ("absolute",)
    draw_effort: bool = False   # False: the efforts are reported one at a time, not drawn


@dataclass(frozen=True)
class Partnership:
    criteria_weights: dict[str, float]
    min_criteria: int
    longevity_full_years: int
    joint_igo_min: int
    min_layers_covered: int
    layers: tuple[str, ...] = ("alliance", "joint_military_org", "joint_exercise", "arms")
    exercise_full: float = 2.0
    reciprocity_window: int = 10
    required_criteria: tuple[str, ...] = ("comprehensiveness",)
    arms_window: int = 5            # trailing years of the arms layer (lumpy deliveries)
    tiv_full: float = 100.0         # mean TIV a year (either direction) that scores 1 (log scale)
    ideal_point_full: float = 3.0   # ideal-point distance that scores 0 on coherence
    carry_forward_years: int = 10   # current score: slow commitments carried past their source
    current_min_layers: int = 2     # current comprehensiveness needs this many layers covered
    aggregation: str = "gated"      # PARTNERSHIP_AGGREGATIONS


@dataclass(frozen=True)
class Symbolic:
    window: int = 5


@dataclass(frozen=True)
class Network:
    max_iter: int
    tol: float


@dataclass(frozen=True)
class IndexDefinition:
    composite: Composite
    pillars: dict[str, Pillar]
    indicators: tuple[Indicator, ...]
    uncertainty: Uncertainty
    partnership: Partnership
    multivector_layer_weights: dict[str, float]
    network: Network
    symbolic: Symbolic = Symbolic()

    def pillar_indicators(self, pillar: str) -> tuple[Indicator, ...]:
        return tuple(ind for ind in self.indicators if ind.pillar == pillar)


def _fail(key: str, problem: str, allowed: str | None = None) -> IndexDefinitionError:
    message = f"indices.toml: {key}: {problem}"
    if allowed:
        message += f" Allowed: {allowed}."
    return IndexDefinitionError(message)


def _check_keys(table: dict, key: str, allowed: tuple[str, ...]) -> None:
    for name in table:
        if name not in allowed:
            raise _fail(f"{key}.{name}" if key else name, "unknown key.", ", ".join(allowed))


def _table(table: dict, name: str, key: str) -> dict:
    value = table.get(name, {})
    if not isinstance(value, dict):
        raise _fail(f"{key}{name}", "must be a table.")
    return value


def _choice(table: dict, name: str, key: str, allowed: tuple[str, ...], default=None) -> str:
    value = table.get(name, default)
    if value is None:
        raise _fail(f"{key}.{name}", "is required.", ", ".join(allowed))
    if value not in allowed:
        raise _fail(f"{key}.{name}", f"{value!r} is not allowed.", ", ".join(allowed))
    return value


def _number(table: dict, name: str, key: str, default=None, low=None, high=None,
            integer: bool = False) -> float:
    value = table.get(name, default)
    kind = "an integer" if integer else "a number"
    bounds = f"{kind} in [{low}, {high}]" if high is not None else f"{kind} >= {low}"
    if value is None:
        raise _fail(f"{key}.{name}", "is required.", bounds)
    if isinstance(value, bool) or not isinstance(value, int | float) or (
        integer and not isinstance(value, int)
    ) or (isinstance(value, float) and not math.isfinite(value)):
        raise _fail(f"{key}.{name}", f"{value!r} is not {kind}.", bounds)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _fail(f"{key}.{name}", f"{value!r} is out of range.", bounds)
    return value


def _weights_table(table: dict, name: str, key: str, names: tuple[str, ...],
                   require_positive_sum: bool = True) -> dict[str, float]:
    weights = _table(table, name, f"{key}.")
    _check_keys(weights, f"{key}.{name}", names)
    result = {n: float(_number(weights, n, f"{key}.{name}", default=0.0, low=0.0)) for n in names}
    if require_positive_sum and sum(result.values()) <= 0:
        raise _fail(f"{key}.{name}", "the weights must sum to more than 0.",
                    "non-negative numbers for " + ", ".join(names))
    return result


def _list(table: dict, name: str, key: str, allowed: tuple, default: tuple) -> tuple:
    value = table.get(name, list(default))
    if not isinstance(value, list) or not value:
        raise _fail(f"{key}.{name}", "must be a non-empty list.", ", ".join(map(str, allowed)))
    for item in value:
        boolean = all(isinstance(a, bool) for a in allowed)
        if isinstance(item, bool) != boolean or item not in allowed:
            raise _fail(f"{key}.{name}", f"{item!r} is not allowed.",
                        ", ".join(map(str, allowed)))
    if len(set(value)) != len(value):
        raise _fail(f"{key}.{name}", "lists a value twice.", ", ".join(map(str, allowed)))
    return tuple(value)


def _goalposts(table: dict, name: str, key: str) -> tuple[float, float] | None:
    goalposts = table.get(name)
    if goalposts is None:
        return None
    if (not isinstance(goalposts, list) or len(goalposts) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool)
                       for v in goalposts)
            or goalposts[0] >= goalposts[1]):
        raise _fail(f"{key}.{name}", f"{goalposts!r} is invalid.",
                    "[low, high] in raw units with low < high")
    return (float(goalposts[0]), float(goalposts[1]))


def parse_definition(raw: dict) -> IndexDefinition:
    """Validate a parsed indices.toml (a dict) and return the typed definition."""
    _check_keys(raw, "", ("composite", "pillars", "indicators", "uncertainty", "partnership",
                          "multivector", "network", "symbolic"))
    comp = _table(raw, "composite", "")
    _check_keys(comp, "composite", ("normalisation", "weights", "aggregation", "window",
                                     "pillar_weights", "current_min_coverage",
                                     "min_months_member", "first_year", "effort"))
    composite = Composite(
        normalisation=_choice(comp, "normalisation", "composite", NORMALISATIONS, "minmax"),
        weights=_choice(comp, "weights", "composite", WEIGHTINGS, "equal"),
        aggregation=_choice(comp, "aggregation", "composite", AGGREGATIONS, "arithmetic"),
        window=int(_number(comp, "window", "composite", 1, 1, 10, integer=True)),
        pillar_weights=_weights_table(comp, "pillar_weights", "composite", PILLARS)
        if "pillar_weights" in comp else dict.fromkeys(PILLARS, 1.0),
        current_min_coverage=float(_number(comp, "current_min_coverage", "composite", 0.5,
                                           0.01, 1.0)),
        min_months_member=float(_number(comp, "min_months_member", "composite", 6.0, 0.0,
                                        12.0)),
        first_year=(int(_number(comp, "first_year", "composite", None, 1816, 2100,
                                integer=True)) if "first_year" in comp else None),
        effort=_choice(comp, "effort", "composite", EFFORTS, "absolute"),
    )

    pillars_raw = _table(raw, "pillars", "")
    _check_keys(pillars_raw, "pillars", PILLARS)
    pillars = {}
    for name in PILLARS:
        key = f"pillars.{name}"
        if name not in pillars_raw:
            raise _fail(key, "is required: every pillar needs a table.", ", ".join(PILLARS))
        table = _table(pillars_raw, name, "pillars.")
        _check_keys(table, key, ("label", "weights", "aggregation", "min_share_observed"))
        pillars[name] = Pillar(
            name=name,
            label=str(table.get("label", name)),
            weights=_choice(table, "weights", key, WEIGHTINGS, "equal"),
            aggregation=_choice(table, "aggregation", key, AGGREGATIONS, "arithmetic"),
            min_share_observed=float(_number(table, "min_share_observed", key, 1.0, 0.01, 1.0)),
        )

    indicators_raw = raw.get("indicators")
    if not isinstance(indicators_raw, list) or not indicators_raw:
        raise _fail("indicators", "must be a non-empty array of tables ([[indicators]]).")
    indicators = []
    seen = set()
    for position, table in enumerate(indicators_raw, start=1):
        key = f"indicators[{position}]"
        if not isinstance(table, dict):
            raise _fail(key, "must be a table.")
        _check_keys(table, key, ("name", "pillar", "direction", "transform", "weight",
                                 "goalposts", "source", "core", "carry_forward", "optional",
                                 "label", "unit", "per_milex", "goalposts_per_milex"))
        for flag in ("core", "optional", "per_milex"):
            if not isinstance(table.get(flag, False), bool):
                raise _fail(f"{key}.{flag}", f"{table[flag]!r} is not true or false.",
                            "true, false")
        name = table.get("name")
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise _fail(f"{key}.name", f"{name!r} is not a column name.",
                        "a column of mart_country_year, lower case")
        if name in seen:
            raise _fail(f"{key}.name", f"{name!r} is listed twice.")
        seen.add(name)
        goalposts = _goalposts(table, "goalposts", key)
        goalposts_per_milex = _goalposts(table, "goalposts_per_milex", key)
        if goalposts_per_milex is not None and not table.get("per_milex", False):
            raise _fail(f"{key}.goalposts_per_milex", "is only allowed with per_milex = true.")
        indicators.append(Indicator(
            name=name,
            pillar=_choice(table, "pillar", key, PILLARS),
            direction=_choice(table, "direction", key, DIRECTIONS, "positive"),
            transform=_choice(table, "transform", key, TRANSFORMS, "none"),
            weight=float(_number(table, "weight", key, 1.0, 0.0)),
            goalposts=goalposts,
            source=str(table.get("source", "")),
            core=table.get("core", False),
            carry_forward=int(_number(table, "carry_forward", key, 0, 0, 30, integer=True)),
            optional=table.get("optional", False),
            label=str(table.get("label", name)),
            unit=str(table.get("unit", "")),
            per_milex=table.get("per_milex", False),
            goalposts_per_milex=goalposts_per_milex,
        ))
    for name, pillar in pillars.items():
        members = [ind for ind in indicators if ind.pillar == name]
        if not members:
            raise _fail(f"pillars.{name}", "has no indicators.",
                        "at least one [[indicators]] with pillar = " + repr(name))
        if pillar.weights == "explicit" and sum(ind.weight for ind in members) <= 0:
            raise _fail(f"pillars.{name}.weights", "explicit weights of its indicators sum to 0.")

    unc = _table(raw, "uncertainty", "")
    _check_keys(unc, "uncertainty", ("draws", "seed", "normalisations", "aggregations",
                                      "windows", "weight_concentration", "oat_weight_draws",
                                      "exclusion", "organisation_lists", "corrections",
                                      "carry_forward", "efforts", "draw_effort"))
    if not isinstance(unc.get("draw_effort", False), bool):
        raise _fail("uncertainty.draw_effort", f"{unc['draw_effort']!r} is not true or false.",
                    "true, false")
    if not isinstance(unc.get("exclusion", True), bool):
        raise _fail("uncertainty.exclusion", f"{unc['exclusion']!r} is not true or false.",
                    "true, false")
    uncertainty = Uncertainty(
        draws=int(_number(unc, "draws", "uncertainty", 200, 1, 100_000, integer=True)),
        seed=int(_number(unc, "seed", "uncertainty", None, 0, integer=True)),
        normalisations=_list(unc, "normalisations", "uncertainty", NORMALISATIONS,
                             ("minmax", "zscore", "rank")),
        aggregations=_list(unc, "aggregations", "uncertainty", AGGREGATIONS, AGGREGATIONS),
        windows=_list(unc, "windows", "uncertainty", tuple(range(1, 11)), (1, 3)),
        weight_concentration=float(_number(unc, "weight_concentration", "uncertainty", 20.0,
                                           0.1)),
        oat_weight_draws=int(_number(unc, "oat_weight_draws", "uncertainty", 50, 1, 10_000,
                                     integer=True)),
        exclusion=unc.get("exclusion", True),
        organisation_lists=_list(unc, "organisation_lists", "uncertainty",
                                 ORGANISATION_LISTS, ORGANISATION_LISTS),
        corrections=_list(unc, "corrections", "uncertainty", (True, False), (True, False)),
        carry_forward=_list(unc, "carry_forward", "uncertainty", (True, False),
                            (True, False)),
        efforts=_list(unc, "efforts", "uncertainty", EFFORTS, (composite.effort,)),
        draw_effort=unc.get("draw_effort", False),
    )

    needs_goalposts = composite.normalisation == "goalposts" or (
        "goalposts" in uncertainty.normalisations)
    if needs_goalposts:
        for position, ind in enumerate(indicators, start=1):
            if ind.goalposts is None:
                raise _fail(f"indicators[{position}].goalposts",
                            f"is required for {ind.name!r} because goalposts normalisation is "
                            "used.", "[low, high] in raw units")
            relative = "relative_to_milex" in (composite.effort, *uncertainty.efforts)
            if relative and ind.per_milex and ind.goalposts_per_milex is None:
                raise _fail(f"indicators[{position}].goalposts_per_milex",
                            f"is required for {ind.name!r} because goalposts normalisation "
                            "and the relative_to_milex effort are used.",
                            "[low, high] per US$ 1 bn of military expenditure")
    if ("relative_to_milex" in (composite.effort, *uncertainty.efforts)
            and not any(ind.per_milex for ind in indicators)):
        raise _fail("composite.effort", "relative_to_milex needs at least one indicator with "
                    "per_milex = true.", "absolute, or mark indicators per_milex = true")

    part = _table(raw, "partnership", "")
    _check_keys(part, "partnership", ("criteria_weights", "min_criteria", "longevity_full_years",
                                       "joint_igo_min", "min_layers_covered", "layers",
                                       "exercise_full", "required_criteria",
                                       "reciprocity_window", "arms_window", "tiv_full",
                                       "ideal_point_full", "carry_forward_years",
                                       "current_min_layers", "aggregation"))
    partnership = Partnership(
        criteria_weights=_weights_table(part, "criteria_weights", "partnership", CRITERIA)
        if "criteria_weights" in part else dict.fromkeys(CRITERIA, 1.0),
        min_criteria=int(_number(part, "min_criteria", "partnership", 3, 1, len(CRITERIA),
                                 integer=True)),
        longevity_full_years=int(_number(part, "longevity_full_years", "partnership", 10, 1,
                                         integer=True)),
        joint_igo_min=int(_number(part, "joint_igo_min", "partnership", 1, 1, integer=True)),
        min_layers_covered=int(_number(part, "min_layers_covered", "partnership", 3, 1, 4,
                                       integer=True)),
        layers=_list(part, "layers", "partnership", PARTNERSHIP_LAYERS,
                     ("alliance", "joint_military_org", "joint_exercise", "arms")),
        exercise_full=float(_number(part, "exercise_full", "partnership", 2.0, 0.01)),
        reciprocity_window=int(_number(part, "reciprocity_window", "partnership", 10, 1, 50,
                                       integer=True)),
        arms_window=int(_number(part, "arms_window", "partnership", 5, 1, 20, integer=True)),
        tiv_full=float(_number(part, "tiv_full", "partnership", 100.0, 0.01)),
        ideal_point_full=float(_number(part, "ideal_point_full", "partnership", 3.0, 0.01)),
        carry_forward_years=int(_number(part, "carry_forward_years", "partnership", 10, 0, 30,
                                        integer=True)),
        current_min_layers=int(_number(part, "current_min_layers", "partnership", 2, 1,
                                       len(PARTNERSHIP_LAYERS), integer=True)),
        required_criteria=tuple(part.get("required_criteria", ["comprehensiveness"]))
        if part.get("required_criteria", ["comprehensiveness"]) == []
        else _list(part, "required_criteria", "partnership", CRITERIA, ("comprehensiveness",)),
        aggregation=_choice(part, "aggregation", "partnership", PARTNERSHIP_AGGREGATIONS,
                            "gated"),
    )
    if (partnership.aggregation == "gated"
            and not any(partnership.criteria_weights[name] > 0
                        for name in ("comprehensiveness", "longevity"))):
        raise _fail("partnership.criteria_weights", "the gated aggregation scales the extent "
                    "of cooperation (comprehensiveness, longevity) by its quality, so at least "
                    "one of them needs a positive weight.",
                    "a positive weight for comprehensiveness or longevity, or "
                    'aggregation = "arithmetic"')

    multi = _table(raw, "multivector", "")
    _check_keys(multi, "multivector", ("layer_weights",))
    layer_weights = (_weights_table(multi, "layer_weights", "multivector", MULTIVECTOR_LAYERS)
                     if "layer_weights" in multi else dict.fromkeys(MULTIVECTOR_LAYERS, 1.0))

    net = _table(raw, "network", "")
    _check_keys(net, "network", ("max_iter", "tol"))
    network = Network(
        max_iter=int(_number(net, "max_iter", "network", 1000, 10, integer=True)),
        tol=float(_number(net, "tol", "network", 1e-6, 1e-14, 1e-2)),
    )
    sym = _table(raw, "symbolic", "")
    _check_keys(sym, "symbolic", ("window",))
    symbolic = Symbolic(window=int(_number(sym, "window", "symbolic", 5, 1, 20, integer=True)))
    return IndexDefinition(composite, pillars, tuple(indicators), uncertainty, partnership,
                           layer_weights, network, symbolic)


def load_definition(path: Path) -> IndexDefinition:
    """Read and validate indices.toml; every problem names the file and the key."""
    if not path.exists():
        raise IndexDefinitionError(f"{path}: the index definition file is missing.")
    from pipelines.tomlfile import read_toml

    raw = read_toml(path, IndexDefinitionError)  # a UTF-8 byte-order mark is accepted
    try:
        return parse_definition(raw)
    except IndexDefinitionError as exc:
        raise IndexDefinitionError(f"{path}: {exc}") from exc


def check_numeric_columns(names: list[str], dtypes: dict[str, object]) -> None:
    """Refuse indicators whose mart_country_year column is not numeric (a name, a code)."""
    import pandas as pd

    text = [name for name in names
            if name in dtypes and not pd.api.types.is_numeric_dtype(dtypes[name])]
    if text:
        raise IndexDefinitionError(
            f"indices.toml: indicator(s) {', '.join(text)} name non-numeric column(s) of "
            f"mart_country_year; an indicator must be a number per country-year. Remove the "
            f"[[indicators]] entry or name a numeric column.")


@dataclass(frozen=True)
class BlocMember:
    bloc: str
    ccode: int
    first_year: int | None
    last_year: int | None


BLOC_COLUMNS = ("bloc", "member_ccode", "member_name", "first_year", "last_year", "note")


def load_blocs(path: Path) -> tuple[BlocMember, ...]:
    """Read seeds/blocs.csv: one row per (bloc, member) with optional membership years.

    Bloc names become column names (share_<bloc>) of mart_multivector, so they must be lower
    case identifiers; a bad row is rejected with its row number rather than skipped.
    """
    if not path.exists():
        raise IndexDefinitionError(f"{path}: the partner-bloc file is missing.")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != BLOC_COLUMNS:
            raise IndexDefinitionError(
                f"{path}: header must be exactly {','.join(BLOC_COLUMNS)} "
                f"(found {','.join(reader.fieldnames or ())}).")
        members = []
        seen = set()
        for row_number, row in enumerate(reader, start=2):
            where = f"{path}: row {row_number}"
            bloc = (row["bloc"] or "").strip()
            if not _IDENTIFIER.match(bloc) or bloc == "other":
                raise IndexDefinitionError(
                    f"{where}: bloc {bloc!r} must be a lower-case identifier (a-z, 0-9, _) "
                    "and not 'other'.")
            years = []
            for column in ("member_ccode", "first_year", "last_year"):
                text = (row[column] or "").strip()
                if not text and column != "member_ccode":
                    years.append(None)
                    continue
                if not re.fullmatch(r"\d+", text):
                    raise IndexDefinitionError(
                        f"{where}: {column} {text!r} must be a whole number"
                        + (" or empty." if column != "member_ccode" else "."))
                years.append(int(text))
            ccode, first_year, last_year = years
            if first_year is not None and last_year is not None and first_year > last_year:
                raise IndexDefinitionError(f"{where}: first_year is after last_year.")
            if (bloc, ccode, first_year) in seen:
                raise IndexDefinitionError(f"{where}: duplicate row for {bloc}, {ccode}.")
            seen.add((bloc, ccode, first_year))
            members.append(BlocMember(bloc, ccode, first_year, last_year))
    if not members:
        raise IndexDefinitionError(f"{path}: no blocs defined.")
    return tuple(members)

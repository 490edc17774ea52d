"""The indices stage: read the built marts from the run's work database, compute the indices,
write the py_* tables that sql/marts/mart_{cooperation_index, partnership, multivector,
network, index_uncertainty}.sql select from.

Runs after the build stage and before those marts are built. Heavy set work (filtering the
million dyad-years, joining directed ATOP rows) is done in DuckDB; the formulas are the pure
functions of the sibling modules. Every input problem raises a CoopError subclass.
"""

from __future__ import annotations

import time
from dataclasses import replace

import duckdb
import pandas as pd

from pipelines.indices.composite import cooperation_index, prepare
from pipelines.indices.config import load_blocs, load_definition
from pipelines.indices.hosts import exercise_hosts
from pipelines.indices.inputs import derived_inputs
from pipelines.indices.multivector import multivector
from pipelines.indices.network import network_measures
from pipelines.indices.partnership import partnership_profile, s_scores
from pipelines.indices.symbolic import symbolic_cooperation
from pipelines.indices.uncertainty import UncertaintyError, monte_carlo
from pipelines.register.indices import mask_thin_register_values, states_per_year
from pipelines.settings import Settings

_LEVEL = """
    case
        when atop_defense = 1 then 3
        when atop_offense = 1 or atop_neutral = 1 then 2
        when atop_nonagg = 1 or atop_consul = 1 then 1
        else 0
    end
"""

# Pairs are kept from their first year with a military tie (alliance, joint security IGO,
# joint exercise or an arms transfer) onwards; earlier pair-years hold no tie to profile.
PARTNERSHIP_DYADS = """
with

dyads as (
    select
        *,
        coalesce(atop_any, 0) = 1
        or coalesce(joint_security_igo_full, 0) > 0
        or coalesce(joint_exercises, 0) > 0
        or coalesce(arms_tiv_1_to_2, 0) + coalesce(arms_tiv_2_to_1, 0) > 0 as military
    from mart_dyad_year
),

kept as (
    select * from (
        select
            *,
            bool_or(military) over (
                partition by ccode1, ccode2 order by year
                rows between unbounded preceding and current row
            ) as tie_so_far
        from dyads
    )
    where tie_so_far
),

directed as (
    select
        ccode1,
        ccode2,
        year,
        atop_defense + atop_offense + atop_neutral + atop_nonagg + atop_consul as given
    from int_atop_dyad_years_checked
    where reject is null
),

participations as (
    select p.mme_row, p.ccode, p.year, e.n_states
    from int_mme_participations_checked as p
    inner join int_mme_exercises_sized as e on p.mme_row = e.mme_row
    where p.reject is null and not p.is_non_state and p.ccode is not null
),

exercise_intensity as (
    -- Each joint exercise counts 1 / (n - 1) for a pair among its n participating states:
    -- a bilateral exercise 1, one of 30 states 1/29 (a state's total per exercise is 1).
    select
        a.ccode as ccode1,
        b.ccode as ccode2,
        a.year,
        sum(1.0 / (a.n_states - 1)) as exercise_intensity
    from participations as a
    inner join participations as b on a.mme_row = b.mme_row and a.ccode < b.ccode
    group by all
),

military_orgs as (
    select m.ccode, m.ioname, m.year
    from int_cow_igo_memberships_corrected as m
    inner join stg_seeds__security_igos as s on m.ioname = s.ioname_lower
    where m.status = 1 and s.kind = 'military'
),

joint_military as (
    select a.ccode as ccode1, b.ccode as ccode2, a.year, count(*) as joint_military_orgs
    from military_orgs as a
    inner join military_orgs as b
        on a.ioname = b.ioname and a.year = b.year and a.ccode < b.ccode
    group by all
)

select
    kept.ccode1,
    kept.ccode2,
    kept.year,
    kept.atop_defense,
    kept.atop_offense,
    kept.atop_neutral,
    kept.atop_nonagg,
    kept.atop_consul,
    kept.joint_igo_full,
    kept.joint_security_igo_full,
    kept.joint_exercises,
    first_state.igo_full as igo_full1,
    second_state.igo_full as igo_full2,
    forward.given as given_1to2,
    backward.given as given_2to1,
    case when kept.year between $igo_first and $igo_last
        then coalesce(joint_military.joint_military_orgs, 0) end as joint_military_orgs,
    case when kept.year between $mme_first and $mme_last
        then coalesce(exercise_intensity.exercise_intensity, 0) end as exercise_intensity
from kept
left join mart_country_year as first_state
    on kept.ccode1 = first_state.ccode and kept.year = first_state.year
left join mart_country_year as second_state
    on kept.ccode2 = second_state.ccode and kept.year = second_state.year
left join directed as forward
    on kept.ccode1 = forward.ccode1 and kept.ccode2 = forward.ccode2
    and kept.year = forward.year
left join directed as backward
    on kept.ccode2 = backward.ccode1 and kept.ccode1 = backward.ccode2
    and kept.year = backward.year
left join joint_military
    on kept.ccode1 = joint_military.ccode1 and kept.ccode2 = joint_military.ccode2
    and kept.year = joint_military.year
left join exercise_intensity
    on kept.ccode1 = exercise_intensity.ccode1 and kept.ccode2 = exercise_intensity.ccode2
    and kept.year = exercise_intensity.year
order by kept.ccode1, kept.ccode2, kept.year
"""

COVERAGE = "select source_id, first_year, last_year from mart_source_coverage"

# Optional pair columns of mart_dyad_year the partnership uses when the build has them (UN
# voting for coherence, arms each way for the arms layer and reciprocity): absent -> NULL.
OPTIONAL_DYAD_COLUMNS = {name: name for name in (
    "unga_agreement", "unga_agreement_s", "unga_ideal_point_distance", "unga_agreement_di",
    "unga_votes_both_di", "unga_agreement_nu", "unga_votes_both_nu", "arms_tiv_1_to_2",
    "arms_tiv_2_to_1")}


def partnership_dyads_query(con: duckdb.DuckDBPyConnection) -> str:
    """PARTNERSHIP_DYADS plus the optional pair columns the build has (NULL otherwise)."""
    present = {r[0] for r in con.execute(
        "select column_name from information_schema.columns "
        "where table_name = 'mart_dyad_year'").fetchall()}
    extra = ",\n    ".join(
        f"kept.{column} as {name}" if column in present else f"null::double as {name}"
        for name, column in OPTIONAL_DYAD_COLUMNS.items())
    query = PARTNERSHIP_DYADS
    if "arms_tiv_1_to_2" not in present:   # a build without SIPRI: arms are no tie
        query = query.replace(
            "\n        or coalesce(arms_tiv_1_to_2, 0) + coalesce(arms_tiv_2_to_1, 0) > 0", "")
    return query.replace("    backward.given as given_2to1,",
                         f"    backward.given as given_2to1,\n    {extra},")

EXERCISES = """
select mme_row, start_year as year, latitude, longitude
from int_mme_exercises_checked where reject is null
"""

PARTICIPANTS = """
select distinct mme_row, ccode from int_mme_participations_checked
where reject is null and not is_non_state and ccode is not null
"""

# A country's ISO3 code may denote several COW states over time (DEU: 260 before 1990-10-03);
# the host must take part in the exercise, which picks the right one.
ISO3_CCODES = """
select iso3, ccode from int_cow_states_countries_described where iso3 is not null
union
select iso3, ccode from stg_seeds__iso3_ccode_periods
"""

# Per pair-year: joint exercises hosted by each side (hosts from pipelines/indices/hosts.py).
HOSTING = """
with

participants as (
    select distinct mme_row, ccode, year from int_mme_participations_checked
    where reject is null and not is_non_state and ccode is not null
)

select
    a.ccode as ccode1,
    b.ccode as ccode2,
    a.year,
    count(*) filter (where hosts.host_ccode = a.ccode) as hosted_by_1,
    count(*) filter (where hosts.host_ccode = b.ccode) as hosted_by_2
from participants as a
inner join participants as b on a.mme_row = b.mme_row and a.ccode < b.ccode
inner join _exercise_hosts as hosts on a.mme_row = hosts.mme_row
where hosts.host_ccode is not null
group by all
"""

ALLIANCE_TIES = f"""
select ccode1, ccode2, year, {_LEVEL} as level
from int_atop_dyad_years_undirected
"""

# Directed ties of each layer (a pair once per direction), positive values only.
LAYER_TIES = {
    "alliance": f"select ccode1, ccode2, year, {_LEVEL} as value from mart_dyad_year "
                "where atop_any = 1",
    "joint_security_igo": "select ccode1, ccode2, year, joint_security_igo_full as value "
                          "from mart_dyad_year where joint_security_igo_full > 0",
    "joint_igo": "select ccode1, ccode2, year, joint_igo_full as value from mart_dyad_year "
                 "where joint_igo_full > 0",
    "joint_exercise": "select ccode1, ccode2, year, joint_exercises as value "
                      "from mart_dyad_year where joint_exercises > 0",
    # arms either way, summed over the trailing 5 years (lumpy deliveries; section 5)
    "arms": "select * from (select ccode1, ccode2, year, sum(coalesce(arms_tiv_1_to_2, 0) "
            "+ coalesce(arms_tiv_2_to_1, 0)) over (partition by ccode1, ccode2 order by year "
            "range between 4 preceding and current row) as value from mart_dyad_year "
            "where arms_tiv_1_to_2 is not null) where value > 0",
}

NETWORK_EDGES = f"""
select 'alliance' as layer, ccode1, ccode2, year, {_LEVEL} as weight
from mart_dyad_year where atop_any = 1
union all
select 'joint_igo' as layer, ccode1, ccode2, year, joint_igo_full as weight
from mart_dyad_year where joint_igo_full > 0
union all
select 'joint_exercise' as layer, ccode1, ccode2, year, joint_exercises as weight
from mart_dyad_year where joint_exercises > 0
"""

NETWORK_SOURCES = {"alliance": "atop", "joint_igo": "cow_igo", "joint_exercise": "mme"}


def _frame(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> pd.DataFrame:
    """Rows of `query` in a fixed order: floating-point sums and graph iterations depend on
    input order, and two refreshes of the same raw/ must give identical marts."""
    return con.execute(f"select * from ({query}) order by all", params or {}).df()


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> int:
    """Replace table `name` with the frame's rows; returns the row count.

    Floats are rounded to 10 decimals so that last-bit noise cannot change content checksums.
    """
    floats = frame.select_dtypes(include="float").columns
    frame = frame.assign(**{column: frame[column].round(10) for column in floats})
    con.register("_indices_frame", frame)
    try:
        con.execute(f"create or replace table {name} as select * from _indices_frame")
    finally:
        con.unregister("_indices_frame")
    return len(frame)


def _directed(ties: pd.DataFrame) -> pd.DataFrame:
    forward = ties.rename(columns={"ccode1": "ccode", "ccode2": "partner"})
    backward = ties.rename(columns={"ccode2": "ccode", "ccode1": "partner"})
    return pd.concat([forward, backward], ignore_index=True)[["ccode", "partner", "year",
                                                               "value"]]


def index_weights(index: pd.DataFrame, definition) -> pd.DataFrame:
    """One row per indicator of the definition: nominal and effective weight, or why it is
    left out (a pending source, no variance in the index years)."""
    effective = index.attrs["effective_weights"].set_index("indicator")
    rows = []
    for ind in definition.indicators:
        used = ind.name in effective.index
        row = effective.loc[ind.name] if used else None
        rows.append({
            "indicator": ind.name, "pillar": ind.pillar, "label": ind.label, "unit": ind.unit,
            "source": ind.source, "core": ind.core, "carry_forward_years": ind.carry_forward,
            "per_milex": ind.per_milex,
            "nominal_weight": float(row["nominal_weight"]) if used else None,
            "effective_weight": float(row["effective_weight"]) if used else None,
            "r2_with_composite": float(row["r2"]) if used else None,
            "status": "used" if used else index.attrs["dropped"].get(ind.name, "left out"),
        })
    return pd.DataFrame(rows)


def compute_indices(con: duckdb.DuckDBPyConnection, settings: Settings,
                    draws: int | None = None) -> dict:
    """Compute every index table into `con` (the run's read-write work database).

    Reads the index definition (settings.indices_file: indices.toml at the project root) and
    seeds/blocs.csv; `draws` overrides the Monte-Carlo draws of indices.toml (it must be >= 1).
    Returns rows per py_ table, seconds per part, the weights used and the uncertainty summary.
    """
    definition = load_definition(settings.indices_file)
    blocs = load_blocs(settings.seeds_dir / "blocs.csv")
    uncertainty = definition.uncertainty
    if draws is not None:
        if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
            raise UncertaintyError(f"draws must be an integer >= 1 (got {draws!r}).")
        uncertainty = replace(uncertainty, draws=draws)

    rows: dict[str, int] = {}
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    coverage = {r[0]: range(r[1], r[2] + 1) for r in con.execute(COVERAGE).fetchall()}
    # Register values enter only indicator-years most states observe (docs/register.md).
    counts = _frame(con, "select * from mart_country_year")
    panel, register_masked = mask_thin_register_values(
        counts.merge(derived_inputs(con, coverage), on=["ccode", "year"], how="left"),
        [indicator.name for indicator in definition.indicators],
        states_per_year(con),
    )
    index = cooperation_index(panel, definition)
    symbolic = symbolic_cooperation(con, coverage, definition.symbolic.window,
                                    definition.composite.first_year or 1816)
    attrs = index.attrs
    index = index.merge(symbolic, on=["ccode", "year"], how="left")
    index.attrs = attrs
    rows["py_cooperation_index"] = write_table(con, "py_cooperation_index", index)
    rows["py_index_weights"] = write_table(con, "py_index_weights",
                                           index_weights(index, definition))
    rows["py_index_inputs"] = write_table(con, "py_index_inputs", index.attrs["inputs"])
    seconds["cooperation_index"] = round(time.perf_counter() - started, 2)

    mark = time.perf_counter()
    dyads = _frame(con, partnership_dyads_query(con), {
        "igo_first": coverage["cow_igo"].start, "igo_last": coverage["cow_igo"].stop - 1,
        "mme_first": coverage["mme"].start, "mme_last": coverage["mme"].stop - 1})
    hosts = exercise_hosts(_frame(con, EXERCISES), _frame(con, PARTICIPANTS),
                           _frame(con, ISO3_CCODES))
    con.register("_exercise_hosts", hosts)
    try:
        hosting = _frame(con, HOSTING)
    finally:
        con.unregister("_exercise_hosts")
    dyads = dyads.merge(hosting, on=["ccode1", "ccode2", "year"], how="left")
    members = _frame(
        con,
        "select ccode, year from int_cow_states_years_expanded where year between $first and $last",
        {"first": coverage["atop"].start, "last": coverage["atop"].stop - 1})
    s_score = s_scores(members, _frame(con, ALLIANCE_TIES), dyads)
    profile = partnership_profile(dyads, s_score, definition.partnership)
    rows["py_partnership"] = write_table(con, "py_partnership", profile)
    seconds["partnership"] = round(time.perf_counter() - mark, 2)

    mark = time.perf_counter()
    layer_ties = {layer: _directed(_frame(con, query)) for layer, query in LAYER_TIES.items()}
    multi = multivector(layer_ties, blocs, definition.multivector_layer_weights)
    rows["py_multivector"] = write_table(con, "py_multivector", multi)
    seconds["multivector"] = round(time.perf_counter() - mark, 2)

    mark = time.perf_counter()
    nodes = _frame(con, "select ccode, year from int_cow_states_years_expanded")
    network = network_measures(
        nodes, _frame(con, NETWORK_EDGES),
        {layer: coverage[source] for layer, source in NETWORK_SOURCES.items()},
        definition.network.max_iter, definition.network.tol)
    rows["py_network"] = write_table(con, "py_network", network)
    seconds["network"] = round(time.perf_counter() - mark, 2)

    mark = time.perf_counter()
    ranks, mc_summary = monte_carlo(panel, definition, uncertainty,
                                    prepare(panel, definition))
    rows["py_index_uncertainty"] = write_table(con, "py_index_uncertainty", ranks)
    seconds["uncertainty"] = round(time.perf_counter() - mark, 2)
    seconds["total"] = round(time.perf_counter() - started, 2)
    return {
        "rows": rows,
        "seconds": seconds,
        "draws": uncertainty.draws,
        "weights": index.attrs.get("weights", {}),
        "effective_weights": index.attrs["effective_weights"].round(4).to_dict("records"),
        "indicators_left_out": index.attrs.get("dropped", {}),
        "uncertainty": mc_summary,
        "register_values_masked": register_masked,
    }

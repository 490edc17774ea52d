"""The index components as registered units: what each reads and writes (issue 11, item 3).

The planner (pipelines/incremental.py) can fingerprint each component from the tables it
declares, and a test (tests/test_indices_components.py) fails when a component's code reads a
model it does not declare. Indicator labels and units are data (indices.toml), the security
organisations' kinds and the corrections are seeds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    name: str
    modules: tuple[str, ...]      # pipelines/indices/<module>.py holding its queries/formulas
    reads: tuple[str, ...]        # models of the work database it reads
    writes: tuple[str, ...]       # py_* tables it writes
    config: tuple[str, ...]       # indices.toml sections and seeds it depends on


COMPONENTS: tuple[Component, ...] = (
    Component(
        "cooperation_index",
        ("stage", "inputs", "composite", "normalise", "symbolic"),
        ("mart_country_year", "mart_source_coverage", "mart_dyad_year",
         "int_atop_dyad_years_corrected", "int_cow_states_years_expanded",
         "int_cow_igo_memberships_corrected",
         "stg_cow_states__state_spells", "stg_seeds__security_igos", "stg_seeds__corrections"),
        ("py_cooperation_index", "py_index_weights", "py_index_inputs"),
        ("composite", "pillars", "indicators", "symbolic", "seeds/security_igos.csv",
         "seeds/corrections.csv"),
    ),
    Component(
        "partnership",
        ("stage", "partnership", "hosts"),
        ("mart_dyad_year", "mart_country_year", "mart_source_coverage",
         "int_atop_dyad_years_checked", "int_atop_dyad_years_undirected",
         "int_cow_states_years_expanded", "int_mme_participations_checked",
         "int_mme_exercises_sized", "int_cow_igo_memberships_corrected",
         "stg_seeds__security_igos", "int_mme_exercises_checked",
         "int_cow_states_countries_described", "stg_seeds__iso3_ccode_periods"),
        ("py_partnership",),
        ("partnership",),
    ),
    Component(
        "multivector",
        ("stage", "multivector"),
        ("mart_dyad_year",),
        ("py_multivector",),
        ("multivector", "seeds/blocs.csv"),
    ),
    Component(
        "network",
        ("stage", "network"),
        ("mart_dyad_year", "mart_source_coverage", "int_cow_states_years_expanded"),
        ("py_network",),
        ("network",),
    ),
    Component(
        "uncertainty",
        ("stage", "uncertainty", "composite"),
        ("mart_country_year", "mart_source_coverage", "int_atop_dyad_years_corrected",
         "int_cow_igo_memberships_corrected", "int_cow_states_years_expanded",
         "stg_cow_states__state_spells", "stg_seeds__security_igos", "stg_seeds__corrections"),
        ("py_index_uncertainty",),
        ("composite", "pillars", "indicators", "uncertainty", "seeds/security_igos.csv",
         "seeds/corrections.csv"),
    ),
)


def declared_reads() -> tuple[str, ...]:
    """Every model any index component reads, sorted (the indices stage's inputs)."""
    return tuple(sorted({table for c in COMPONENTS for table in c.reads}))


def declared_writes() -> tuple[str, ...]:
    return tuple(sorted({table for c in COMPONENTS for table in c.writes}))


def component(name: str) -> Component:
    for item in COMPONENTS:
        if item.name == name:
            return item
    raise KeyError(f"no index component {name!r}; known: "
                   f"{', '.join(c.name for c in COMPONENTS)}")

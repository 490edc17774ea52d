"""Source adapters: one module per raw dataset, each declaring the files it reads."""

from __future__ import annotations

from types import ModuleType

from pipelines.sources import (
    atop,
    cow_igo,
    cow_states,
    exercises_supplementary,
    geo_pko,
    ipi,
    mme,
    unga,
    us_troops,
)

ADAPTERS: dict[str, ModuleType] = {
    adapter.SOURCE_ID: adapter
    for adapter in (
        cow_states,
        atop,
        cow_igo,
        mme,
        ipi,
        unga,
        geo_pko,
        us_troops,
        exercises_supplementary,
    )
}

"""Source adapters: one module per raw dataset, each declaring the files it reads."""

from __future__ import annotations

from types import ModuleType

from pipelines.sources import (
    atop,
    cow_igo,
    cow_states,
    ipi,
    mme,
    sipri_arms,
    sipri_milex,
    sipri_tiv,
)

ADAPTERS: dict[str, ModuleType] = {
    adapter.SOURCE_ID: adapter
    for adapter in (cow_states, atop, cow_igo, mme, ipi, sipri_arms, sipri_tiv, sipri_milex)
}

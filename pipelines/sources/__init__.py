"""Source adapters: one module per raw dataset, found by looking, not by a list.

Every module of this package that declares `SOURCE_ID` is a source adapter.  An adapter of a
dataset pinned in raw/sources.toml declares:

    SOURCE_ID = "atop"                  # its [sources.<id>] entry in raw/sources.toml
    FILES = (CsvSpec(...), ...)         # the files it reads and their exact headers
    LABEL = "alliance partners ..."     # what the source measures, shown in the reports
    def accepted_suite(kit) -> Suite    # the GX suite over its accepted (checked) rows

The register (raw/register/, not pinned in the manifest) declares SOURCE_ID, LABEL and
accepted_suite but no FILES: it has its own loader.  Modules without SOURCE_ID (`base`) are
helpers.  A manifest source with no adapter is refused by `adapters_for_manifest`, so a new
dataset cannot be listed and then silently skipped.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType

from pipelines.errors import InputFileError

_REQUIRED = ("SOURCE_ID", "LABEL", "accepted_suite")


def _discover() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if not hasattr(module, "SOURCE_ID"):
            continue
        missing = [name for name in _REQUIRED if not hasattr(module, name)]
        if missing:
            raise InputFileError(
                f"{module.__file__}: a source adapter must declare {', '.join(missing)} "
                f"(see docs/contributing.md, 'Add a source')."
            )
        if module.SOURCE_ID in found:
            raise InputFileError(
                f"{module.__file__}: SOURCE_ID '{module.SOURCE_ID}' is already declared by "
                f"{found[module.SOURCE_ID].__file__}."
            )
        found[module.SOURCE_ID] = module
    return found


# Every source adapter, the register included, by source id (sorted by module name).
ALL_SOURCES: dict[str, ModuleType] = _discover()
# The adapters of datasets pinned in raw/sources.toml (those that declare FILES).
ADAPTERS: dict[str, ModuleType] = {
    source_id: module for source_id, module in ALL_SOURCES.items() if hasattr(module, "FILES")
}


def adapters_for_manifest(
    source_ids: Iterable[str], manifest_name: str = "raw/sources.toml"
) -> dict[str, ModuleType]:
    """The adapter of each manifest source, in manifest order; refuse a source without one and
    an adapter without a manifest entry."""
    listed = list(source_ids)
    problems = []
    no_adapter = [source_id for source_id in listed if source_id not in ADAPTERS]
    if no_adapter:
        problems.append(
            f"source(s) {', '.join(no_adapter)} have no adapter in pipelines/sources/. Add a "
            f"module pipelines/sources/<source_id>.py declaring SOURCE_ID, FILES, LABEL and "
            f"accepted_suite (see docs/contributing.md, 'Add a source'), or remove the "
            f"[sources.<source_id>] entry from {manifest_name}."
        )
    no_entry = sorted(set(ADAPTERS) - set(listed))
    if no_entry:
        problems.append(
            f"no entry for source(s) {', '.join(no_entry)}, which the pipeline needs (their "
            f"adapters are in pipelines/sources/). Restore the [sources.<source_id>] entries."
        )
    if problems:
        raise InputFileError(f"{manifest_name}: " + "\n".join(problems))
    return {source_id: ADAPTERS[source_id] for source_id in listed}


def source_labels() -> dict[str, str]:
    """What each source measures, for the reports (the adapters' LABEL)."""
    return {source_id: module.LABEL for source_id, module in ALL_SOURCES.items()}

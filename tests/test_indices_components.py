"""Index components declare what they read and write; the code may read nothing else."""

from __future__ import annotations

import re

from pipelines import models
from pipelines.indices import components
from pipelines.settings import PROJECT_ROOT


def _model_names() -> set[str]:
    return set(models.discover_models(PROJECT_ROOT / "sql"))


def test_every_model_a_component_module_reads_is_declared():
    names = _model_names()
    for item in components.COMPONENTS:
        text = " ".join((PROJECT_ROOT / "pipelines" / "indices" / f"{module}.py").read_text(
            encoding="utf-8") for module in item.modules)
        read = {word for word in re.findall(r"\b(?:from|join)\s+([a-z][a-z0-9_]+)", text)
                if word in names}
        declared = set(item.reads)
        union = set(components.declared_reads())
        # A module shared by several components may read for the others: every model a
        # module reads must be declared by one of the components that use the module.
        sharing = {t for c in components.COMPONENTS if set(c.modules) & set(item.modules)
                   for t in c.reads}
        assert read <= sharing, (item.name, read - sharing)
        assert declared <= names, (item.name, declared - names)
        assert declared <= union


def test_declared_writes_are_the_tables_the_stage_writes():
    text = (PROJECT_ROOT / "pipelines" / "indices" / "stage.py").read_text(encoding="utf-8")
    written = set(re.findall(r'write_table\(con, "(py_[a-z_]+)"', text))
    assert written == set(components.declared_writes())


def test_each_py_table_has_a_mart_reading_it():
    sql = " ".join(p.read_text(encoding="utf-8")
                   for p in (PROJECT_ROOT / "sql" / "marts").glob("mart_*.sql"))
    for table in components.declared_writes():
        assert re.search(rf"\bfrom {table}\b", sql), table


def test_component_lookup_names_the_known_ones():
    assert components.component("network").writes == ("py_network",)
    try:
        components.component("nope")
    except KeyError as exc:
        assert "cooperation_index" in str(exc)
    else:
        raise AssertionError("an unknown component must raise")

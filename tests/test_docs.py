"""The docs stay true: the CLI reference is what `--help` prints, the README stays short and
its links resolve, and every step of docs/contributing.md names a test that exists."""

from __future__ import annotations

import re

from pipelines import cli_reference
from pipelines.settings import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
CONTRIBUTING = PROJECT_ROOT / "docs" / "contributing.md"


def test_cli_reference_is_current():
    committed = cli_reference.REFERENCE_FILE.read_text(encoding="utf-8")
    assert committed == cli_reference.render(), (
        "docs/cli-reference.md is out of date: run `python -m pipelines.cli_reference`"
    )


def test_cli_reference_covers_every_command():
    text = cli_reference.REFERENCE_FILE.read_text(encoding="utf-8")
    for command in ("refresh", "sql", "status", "contracts", "fetch", "serve", "register check",
                    "register template", "dictionary", "bench", "report"):
        assert f"\n## coop {command}\n" in text, command


def test_readme_is_short_and_its_links_resolve():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 130
    assert "make run" in text and "make test" in text
    links = re.findall(r"\]\(([^)#]+)\)", text)
    assert links, "the README links to the docs"
    missing = [link for link in links
               if "://" not in link and not (PROJECT_ROOT / link).is_file()]
    assert missing == []


def test_every_contributing_step_names_an_existing_test():
    text = CONTRIBUTING.read_text(encoding="utf-8")
    steps = re.findall(r"^\d+\. \*\*.+?(?=^\d+\. \*\*|^## |\Z)", text, flags=re.M | re.S)
    assert len(steps) >= 12
    unguarded = [step.splitlines()[0] for step in steps
                 if not re.search(r"tests/test_\w+\.py::test_\w+", step)]
    assert unguarded == []
    for module, name in re.findall(r"(tests/test_\w+\.py)::(test_\w+)", text):
        source = (PROJECT_ROOT / module).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, flags=re.M), f"{module}::{name} is missing"

"""`coop register import-exercises`: the supplementary Russia exercises as a register batch.

The pinned file raw/exercises_supplementary/jme_involving_russia.csv (99 exercises, 2009-2018,
each citing a Russian MoD or Krasnaya Zvezda page) becomes one register fact per (exercise,
partner): country RUS (implicit in the source), the partner state, family `exercise`, subtype
bilateral or multilateral, count 1, the exercise's own page as citation and URL, and
confidence `low`. A `low` fact is shown in mart_register_facts with its citation but never
fills a panel column (status `low_confidence`), so exercise counts after MME's last year stay
NULL: the compilation is partial (thin after 2013) and Russia-centric, not a panel.

Partner names are resolved by pipelines/names.py (the overrides seed, then country_converter);
a name that does not resolve is written as it stands, so the register quarantines the row with
`unknown_partner` instead of dropping it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipelines import names
from pipelines.errors import CoopError
from pipelines.sources import register
from pipelines.sources.exercises_supplementary import FILES, PARTNER_COLUMNS

COMPILATION = (
    '"Joint Military Exercises Involving Russia" (compiler unknown; GitHub '
    "zleffel-afk/Visualization-of-NAM-country-data, commit bba038e)"
)
NOTE = (
    "Low confidence: an unverified third-party compilation of Russian press releases, partial "
    "and Russia-centric (thin after 2013); a fact, not a panel count."
)


@dataclass(frozen=True)
class BatchResult:
    exercises: int
    facts: int
    unresolved: tuple[str, ...]


def _partner_code(name: str, overrides: list[names.Override]) -> tuple[str, str, bool]:
    """(partner_type, partner code or the name itself, resolved?) for one partner name."""
    resolutions = names.resolve_name("exercises_supplementary", name, overrides)
    first = resolutions[0]
    if first.actor_kind == "state" and first.ccode is not None and len(resolutions) == 1:
        return "state", str(first.ccode), True
    if first.actor_kind == "state" and first.iso3:
        return "state", first.iso3, True
    if first.actor_kind == "organisation":
        return "organisation", name, True
    return "state", name, False


def batch_rows(source_csv: Path, overrides_path: Path) -> tuple[list[dict[str, str]], BatchResult]:
    """The register rows for the supplementary exercises file, in file order."""
    expected = list(FILES[0].columns)
    overrides = names.read_overrides(overrides_path)
    rows: list[dict[str, str]] = []
    unresolved: set[str] = set()
    exercises = 0
    with source_csv.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if list(reader.fieldnames or []) != expected:
            raise CoopError(
                f"{source_csv}: header is not the supplementary exercises file's "
                f"({', '.join(expected)})."
            )
        for line, record in enumerate(reader, start=2):
            if not (record["id"] or "").strip():
                continue  # 893 of the 992 lines are blank
            exercises += 1
            partners = [
                (record[column] or "").strip()
                for column in PARTNER_COLUMNS
                if (record[column] or "").strip()
            ]
            if not partners:
                raise CoopError(f"{source_csv}, line {line}: exercise without a partner.")
            subtype = "bilateral" if len(partners) == 1 else "multilateral"
            title = (record["name"] or "").strip()
            year = (record["yr"] or "").strip()
            url = (record["source"] or "").strip()
            extra = [(record["comments"] or "").strip(), (record["source2"] or "").strip()]
            notes = " ".join(
                [NOTE, f"Source id {record['id'].strip()}; {len(partners)} partner(s)."]
                + [f"Comments: {extra[0]}" for _ in [0] if extra[0]]
                + [f"Second source: {extra[1]}" for _ in [0] if extra[1]]
            )
            for partner in partners:
                partner_type, code, resolved = _partner_code(partner, overrides)
                if not resolved:
                    unresolved.add(partner)
                rows.append(
                    {
                        "date": "",
                        "year": year,
                        "country": "RUS",
                        "partner_type": partner_type,
                        "partner": code,
                        "family": "exercise",
                        "subtype": subtype,
                        "count": "1",
                        "count_qualifier": "exact",
                        "source_citation": f"{title} ({year}), {url}; as compiled in {COMPILATION}",
                        "source_url": url,
                        "confidence": "low",
                        "notes": notes,
                    }
                )
    return rows, BatchResult(exercises, len(rows), tuple(sorted(unresolved)))


def write_batch(source_csv: Path, destination: Path, overrides_path: Path) -> BatchResult:
    """Write the batch as a register CSV; refuses to overwrite an existing file."""
    if destination.exists():
        raise CoopError(f"{destination}: already exists; remove it first to regenerate it.")
    rows, result = batch_rows(source_csv, overrides_path)
    with destination.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=register.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return result

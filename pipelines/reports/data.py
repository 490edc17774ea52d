"""Everything the pages show, read from the published marts in one pass.

Each query in sql/reports/ runs once per render; the pages take their rows from the resulting
DataFrames grouped in pandas, never with a query per page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from pipelines.db import connect_published
from pipelines.errors import InputFileError
from pipelines.publish import read_published_manifest
from pipelines.raw_manifest import read_manifest
from pipelines.reports.config import ReportsConfig, check_countries, read_reports_config
from pipelines.settings import Settings

_ISO3 = re.compile(r"^[A-Z]{3}$")


def run_report_queries(settings: Settings) -> dict[str, pd.DataFrame]:
    """Run every sql/reports/*.sql once against the published marts, keyed by file stem."""
    con = connect_published(settings.published_db)
    try:
        return {
            path.stem: con.execute(path.read_text(encoding="utf-8")).df()
            for path in sorted((settings.sql_dir / "reports").glob("*.sql"))
        }
    finally:
        con.close()


def page_stem(iso3: object, ccode: int) -> str:
    """A country page's file name: its ISO3 code, or cow-<ccode> for states without one.

    Historical states (German Federal Republic, Czechoslovakia, ...) have no ISO3 code; their
    COW code keeps them apart from the modern state that reuses the name or abbreviation.  Only
    three capital letters are used as a file name, so odd data can never leave the directory.
    """
    if isinstance(iso3, str) and _ISO3.match(iso3):
        return iso3
    return f"cow-{int(ccode)}"


def json_numbers(numbers: np.ndarray, digits: int = 3) -> list:
    """Floats as a JSON-ready list: rounded, whole numbers as int, None (null) for NaN."""
    rounded = np.round(numbers.astype("float64", copy=False), digits).tolist()
    return [None if v != v else (int(v) if v.is_integer() else v) for v in rounded]


def values(column: pd.Series, digits: int = 3) -> list:
    """A column as a JSON-ready list: rounded numbers, None (JSON null) where missing."""
    return json_numbers(pd.to_numeric(column, errors="coerce").astype("float64").to_numpy(),
                        digits)


class Panel:
    """A frame keyed by (ccode, year) held as per-state numpy slices.

    Hundreds of pages each need a few columns of one state over its years; slicing arrays is
    ~100 times faster than filtering and reindexing a DataFrame per page.
    """

    def __init__(self, frame: pd.DataFrame, key: str = "ccode") -> None:
        frame = frame.sort_values([key, "year"], kind="stable")
        keys = frame[key].to_numpy()
        self._years = frame["year"].to_numpy(dtype="int64")
        self._numbers: dict[str, np.ndarray] = {}
        self._texts: dict[str, np.ndarray] = {}
        for column in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[column]):
                self._numbers[column] = frame[column].astype("float64").to_numpy()
            else:
                self._texts[column] = frame[column].astype(object).to_numpy()
        unique, starts, counts = np.unique(keys, return_index=True, return_counts=True)
        self._slices = {k: slice(int(s), int(s + n))
                        for k, s, n in zip(unique.tolist(), starts, counts, strict=True)}

    def __contains__(self, key: object) -> bool:
        return key in self._slices

    def years(self, key: object) -> np.ndarray:
        part = self._slices.get(key)
        return self._years[part] if part is not None else self._years[0:0]

    def numbers(self, key: object, column: str, span: range) -> np.ndarray:
        """The column over `span` (consecutive years), NaN where the state has no row."""
        out = np.full(len(span), np.nan)
        part = self._slices.get(key)
        if part is None:
            return out
        position = self._years[part] - span.start
        inside = (position >= 0) & (position < len(span))
        out[position[inside]] = self._numbers[column][part][inside]
        return out

    def series(self, key: object, column: str, span: range, digits: int = 3) -> list:
        return json_numbers(self.numbers(key, column, span), digits)

    def texts(self, key: object, column: str) -> np.ndarray:
        part = self._slices.get(key)
        return self._texts[column][part] if part is not None else self._texts[column][0:0]

    def raw(self, key: object, column: str) -> np.ndarray:
        part = self._slices.get(key)
        return self._numbers[column][part] if part is not None else np.array([])


def year_span(first_year: int, last_year: int) -> range:
    return range(int(first_year), int(last_year) + 1)


@dataclass
class ReportData:
    frames: dict[str, pd.DataFrame]
    manifest: dict
    sources: list[dict]
    config: ReportsConfig
    panels: dict[str, Panel] = field(default_factory=dict)
    # Results computed once for all pages (e.g. every state's top partners), by name.
    derived: dict[str, object] = field(default_factory=dict)

    def panel(self, frame: str) -> Panel:
        """A (ccode, year) frame as a Panel; network_position is keyed by (ccode, layer)."""
        if frame not in self.panels:
            source = self.frames[frame]
            if frame == "network_position":
                source = source.assign(key=source["ccode"].astype(str) + "/" + source["layer"])
                self.panels[frame] = Panel(source, key="key")
            else:
                self.panels[frame] = Panel(source)
        return self.panels[frame]

    @cached_property
    def countries(self) -> pd.DataFrame:
        countries = self.frames["countries"].copy()
        countries["page"] = [page_stem(iso3, ccode) for iso3, ccode
                             in zip(countries["iso3"], countries["ccode"], strict=True)]
        # Two states with one ISO3 code would overwrite each other's page: name both by ccode.
        shared = countries["page"].duplicated(keep=False)
        countries.loc[shared, "page"] = [f"cow-{int(c)}" for c in countries.loc[shared, "ccode"]]
        countries["has_iso3"] = ~countries["page"].str.startswith("cow-")
        return countries

    @cached_property
    def country_by_ccode(self) -> dict[int, dict]:
        return {int(row["ccode"]): row for row in self.countries.to_dict("records")}

    @cached_property
    def ccode_by_iso3(self) -> dict[str, int]:
        return {row["iso3"]: ccode for ccode, row in self.country_by_ccode.items()
                if row["has_iso3"]}

    @cached_property
    def index_years(self) -> list[int]:
        """Years with a composite index (1990-2010 on the shipped sources)."""
        scores = self.frames["index_scores"]
        return sorted(int(y) for y in scores.loc[scores["composite"].notna(), "year"].unique())

    @cached_property
    def latest_index_year(self) -> int | None:
        return self.index_years[-1] if self.index_years else None

    @cached_property
    def coverage(self) -> list[dict]:
        return self.frames["source_coverage"].to_dict("records")

    @cached_property
    def directed_partnerships(self) -> pd.DataFrame:
        """Every pair-year twice, once from each side: `ccode` is the state, `partner` the other."""
        pairs = self.frames["partnerships"]
        forward = pairs.rename(columns={"ccode1": "ccode", "ccode2": "partner"})
        backward = pairs.rename(columns={"ccode2": "ccode", "ccode1": "partner"})
        return pd.concat([forward, backward], ignore_index=True)


def source_citations(settings: Settings, coverage: list[dict]) -> list[dict]:
    """Citation, origin and licence of each published source, from raw/sources.toml.

    The published release is the vintage the pages describe: if raw/ has moved on to another
    version since (or its manifest is unreadable), the release's own citation is shown.
    """
    try:
        manifest = read_manifest(settings.sources_manifest)
    except InputFileError:
        manifest = {}
    citations = []
    for row in coverage:
        entry = manifest.get(row["source_id"])
        same_vintage = entry is not None and entry.version == str(row["version"])
        citations.append({
            "source_id": row["source_id"],
            "dataset": row["dataset"],
            "version": row["version"],
            "first_year": row["first_year"],
            "last_year": row["last_year"],
            "citation": entry.citation if same_vintage else row["citation"],
            "origin": entry.meta.get("origin") if same_vintage else None,
            "licence": entry.meta.get("licence") if same_vintage else None,
        })
    return citations


def load_report_data(settings: Settings) -> ReportData:
    config = read_reports_config(settings.reports_file)
    frames = run_report_queries(settings)
    data = ReportData(
        frames=frames,
        manifest=read_published_manifest(settings) or {},
        sources=[],
        config=config,
    )
    data.config = check_countries(config, data.ccode_by_iso3)
    data.sources = source_citations(settings, data.coverage)
    return data

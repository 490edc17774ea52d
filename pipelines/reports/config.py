"""reports.toml: which countries the regional page compares and the overview shows first.

The file is optional: without it the pages use the defaults below (Central Asia).  A file that
is present must be valid; every country must be an ISO3 code of a state in mart_countries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from pipelines.errors import CoopError
from pipelines.tomlfile import read_toml

DEFAULT_REGIONAL_TITLE = "Central Asia"
DEFAULT_REGIONAL_COUNTRIES = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
# The regional group plus the partners the Central Asian literature compares them with.
DEFAULT_TREND_COUNTRIES = (*DEFAULT_REGIONAL_COUNTRIES, "RUS", "CHN", "USA", "TUR")
MAX_COUNTRIES = 30
ISO3_PATTERN = re.compile(r"^[A-Z]{3}$")

_ALLOWED_KEYS = {
    "regional": {"title", "countries"},
    "overview": {"trend_countries"},
}


class ReportConfigError(CoopError):
    """reports.toml is unreadable, has an unknown key or names an unknown country."""


@dataclass(frozen=True)
class ReportsConfig:
    regional_title: str = DEFAULT_REGIONAL_TITLE
    regional_countries: tuple[str, ...] = DEFAULT_REGIONAL_COUNTRIES
    trend_countries: tuple[str, ...] = DEFAULT_TREND_COUNTRIES
    source: Path | None = None
    # The country lists the file sets ("regional.countries", ...); the others are defaults.
    explicit: frozenset[str] = frozenset()

    @property
    def where(self) -> str:
        """For error messages: the file's full path."""
        return str(self.source) if self.source else "the built-in defaults"

    @property
    def shown_as(self) -> str:
        """For the page: the file's name (the path is the reader's business, not the page's)."""
        return self.source.name if self.source else "the built-in defaults (no reports.toml)"


def read_reports_config(path: Path) -> ReportsConfig:
    """Parse and check the file's shape; `check_countries` then checks the codes exist."""
    if not path.is_file():
        return ReportsConfig()
    document = read_toml(path, ReportConfigError)  # a UTF-8 byte-order mark is accepted
    for table, entry in document.items():
        if table not in _ALLOWED_KEYS:
            raise ReportConfigError(
                f"{path}: unknown table [{table}]. Allowed: "
                f"{', '.join(f'[{name}]' for name in _ALLOWED_KEYS)}."
            )
        if not isinstance(entry, dict):
            raise ReportConfigError(f"{path}: '{table}' must be a table ([{table}]).")
        unknown = sorted(set(entry) - _ALLOWED_KEYS[table])
        if unknown:
            raise ReportConfigError(
                f"{path}: {table}.{unknown[0]} is not a known setting. Allowed in [{table}]: "
                f"{', '.join(sorted(_ALLOWED_KEYS[table]))}."
            )
    regional = document.get("regional", {})
    overview = document.get("overview", {})
    title = regional.get("title", DEFAULT_REGIONAL_TITLE)
    if not isinstance(title, str) or not title.strip() or len(title) > 80:
        raise ReportConfigError(
            f"{path}: regional.title must be a non-empty string of at most 80 characters."
        )
    return ReportsConfig(
        regional_title=title.strip(),
        regional_countries=_codes(path, "regional.countries",
                                  regional.get("countries", DEFAULT_REGIONAL_COUNTRIES)),
        trend_countries=_codes(path, "overview.trend_countries",
                               overview.get("trend_countries", DEFAULT_TREND_COUNTRIES)),
        source=path,
        explicit=frozenset(
            f"{table}.{key}" for table, entry in document.items() for key in entry
            if key.endswith("countries")),
    )


def _codes(path: Path, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise ReportConfigError(
            f'{path}: {key} must be a non-empty list of ISO3 codes, e.g. ["KAZ", "UZB"].'
        )
    if len(value) > MAX_COUNTRIES:
        raise ReportConfigError(
            f"{path}: {key} lists {len(value)} countries; at most {MAX_COUNTRIES} stay readable "
            f"in one chart."
        )
    codes: list[str] = []
    for item in value:
        code = item.strip().upper() if isinstance(item, str) else None
        if code is None or not ISO3_PATTERN.match(code):
            raise ReportConfigError(
                f"{path}: {key}: {item!r} is not an ISO3 code (three letters, e.g. \"KAZ\")."
            )
        if code in codes:
            raise ReportConfigError(f"{path}: {key} lists {code} twice.")
        codes.append(code)
    return tuple(codes)


def check_countries(config: ReportsConfig, known_iso3: Iterable[str]) -> ReportsConfig:
    """Refuse codes set in reports.toml that name no state in the published marts.

    The built-in defaults are a convenience, not a choice someone made: codes from them that
    the marts lack (a test project with a few states) are left out instead.
    """
    known = set(known_iso3)
    checked = {}
    for key, field_name in (("regional.countries", "regional_countries"),
                            ("overview.trend_countries", "trend_countries")):
        codes = getattr(config, field_name)
        unknown = [code for code in codes if code not in known]
        if unknown and key in config.explicit:
            raise ReportConfigError(
                f"{config.where}: {key}: {', '.join(unknown)} "
                f"{'is not the ISO3 code' if len(unknown) == 1 else 'are not ISO3 codes'} of any "
                f"state in mart_countries. List the codes with: coop sql \"select iso3, country "
                f"from mart_countries where iso3 is not null order by country\"."
            )
        checked[field_name] = tuple(code for code in codes if code in known)
    return replace(config, **checked)

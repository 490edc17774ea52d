"""The two pieces of JavaScript-side data the pages carry: plotly.js and the world map.

plotly.js comes from the installed plotly package (one version for the whole site).  The map
outline is pipelines/assets/world_110m.json (provenance in pipelines/assets/README.md), handed
to plotly.js through `window.PlotlyGeoAssets`, so Plotly never downloads a topojson file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from markupsafe import Markup
from plotly.offline import get_plotlyjs, get_plotlyjs_version

ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"
WORLD_TOPOJSON = ASSETS_DIR / "world_110m.json"
# plotly.js looks up PlotlyGeoAssets.topojson[<scope>_<resolution>m] before any download.
WORLD_TOPOJSON_NAME = "world_110m"
PLOTLY_VERSION = get_plotlyjs_version()
PLOTLY_ASSET_NAME = f"plotly-{PLOTLY_VERSION}.min.js"


@lru_cache(maxsize=1)
def plotly_js() -> str:
    return get_plotlyjs()


@lru_cache(maxsize=1)
def inline_plotly_js() -> Markup:
    """plotly.js for a <script> element (our installed library, not data: no escaping)."""
    return Markup(plotly_js())


@lru_cache(maxsize=1)
def world_topojson_script() -> Markup:
    """The topojson as a JavaScript literal safe inside <script> (no '</' can close it)."""
    text = WORLD_TOPOJSON.read_text(encoding="utf-8").strip()
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

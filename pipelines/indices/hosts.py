"""Exercise hosts from MME coordinates (methodology v2, section 4: reciprocity).

MME gives coordinates for most exercises but names no host. The host is derived as the
participating state whose territory contains the exercise's point, using the world outline the
project already ships (pipelines/assets/world_110m.json: Natural Earth 1:110m countries with
ISO3 ids). A point at sea, in a state that does not take part, in a state too small for a 1:110m
map, or without coordinates has no host (NULL), never a guessed one.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

WORLD = Path(__file__).resolve().parents[1] / "assets" / "world_110m.json"


def _decode_arcs(topology: dict) -> list[np.ndarray]:
    """TopoJSON arcs: delta-encoded quantised positions -> lon/lat arrays."""
    scale = np.array(topology["transform"]["scale"])
    translate = np.array(topology["transform"]["translate"])
    return [np.cumsum(np.array(arc, dtype=float), axis=0) * scale + translate
            for arc in topology["arcs"]]


def _ring(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    points = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.append(arc if not points else arc[1:])
    return np.concatenate(points) if points else np.empty((0, 2))


def country_polygons(path: Path = WORLD) -> dict[str, list[list[np.ndarray]]]:
    """ISO3 -> polygons, each a list of rings (the first the outer ring, then holes)."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    out: dict[str, list[list[np.ndarray]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        iso3 = geometry.get("id")
        if not isinstance(iso3, str) or len(iso3) != 3:
            continue
        polygons = ([geometry["arcs"]] if geometry["type"] == "Polygon"
                    else geometry["arcs"] if geometry["type"] == "MultiPolygon" else [])
        out[iso3] = [[_ring(arcs, ring) for ring in polygon] for polygon in polygons if polygon]
    return out


def points_in_ring(lon: np.ndarray, lat: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Even-odd ray casting of many points against one ring."""
    inside = np.zeros(len(lon), dtype=bool)
    x1, y1 = ring[:-1, 0], ring[:-1, 1]
    x2, y2 = ring[1:, 0], ring[1:, 1]
    for a, b, c, d in zip(x1, y1, x2, y2, strict=True):
        crosses = (b > lat) != (d > lat)
        with np.errstate(invalid="ignore", divide="ignore"):
            x_at = a + (lat - b) * (c - a) / (d - b)
        inside ^= crosses & (lon < x_at)
    return inside


def locate(lon: np.ndarray, lat: np.ndarray, polygons: dict[str, list[list[np.ndarray]]]
           ) -> np.ndarray:
    """ISO3 of the country containing each point (None at sea or without coordinates)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(len(lon), None, dtype=object)
    known = ~np.isnan(lon) & ~np.isnan(lat)
    for iso3, shapes in polygons.items():
        for rings in shapes:
            outer = rings[0]
            box = (known & (lon >= outer[:, 0].min()) & (lon <= outer[:, 0].max())
                   & (lat >= outer[:, 1].min()) & (lat <= outer[:, 1].max()) & (out == None))  # noqa: E711
            if not box.any():
                continue
            candidates = np.flatnonzero(box)
            inside = points_in_ring(lon[candidates], lat[candidates], outer)
            for hole in rings[1:]:
                inside &= ~points_in_ring(lon[candidates], lat[candidates], hole)
            out[candidates[inside]] = iso3
    return out


def exercise_hosts(exercises: pd.DataFrame, participants: pd.DataFrame,
                   iso3_ccode: pd.DataFrame,
                   polygons: dict[str, list[list[np.ndarray]]] | None = None) -> pd.DataFrame:
    """mme_row, year, host_ccode: the participating state whose territory holds the point.

    exercises: mme_row, year, latitude, longitude; participants: mme_row, ccode;
    iso3_ccode: iso3, ccode (the states of the year; a code held by one state only).
    """
    polygons = country_polygons() if polygons is None else polygons
    located = exercises.assign(iso3=locate(exercises["longitude"].to_numpy(dtype=float),
                                           exercises["latitude"].to_numpy(dtype=float),
                                           polygons))
    located = located.merge(iso3_ccode.rename(columns={"ccode": "host_ccode"}), on="iso3",
                            how="left")
    taking_part = located.merge(participants.rename(columns={"ccode": "host_ccode"}),
                                on=["mme_row", "host_ccode"], how="inner")
    out = exercises[["mme_row", "year"]].merge(taking_part[["mme_row", "host_ccode"]],
                                               on="mme_row", how="left")
    return out.drop_duplicates("mme_row")

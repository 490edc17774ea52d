"""Exercise hosts from coordinates: point in polygon, holes, and the participant rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.indices.hosts import country_polygons, exercise_hosts, locate

SQUARE = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]])
HOLE = np.array([[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]])
POLYGONS = {"AAA": [[SQUARE, HOLE]], "BBB": [[SQUARE + [20.0, 0.0]]]}


def test_locate_by_hand():
    lon = np.array([1.0, 5.0, 25.0, 15.0, np.nan])
    lat = np.array([1.0, 5.0, 5.0, 5.0, 1.0])
    # inside AAA; in AAA's hole (a lake: nobody's); inside BBB; between them (sea); unknown.
    assert locate(lon, lat, POLYGONS).tolist() == ["AAA", None, "BBB", None, None]


def test_the_host_must_take_part_and_an_iso3_may_name_several_states():
    exercises = pd.DataFrame({"mme_row": [1, 2, 3], "year": [1980, 1980, 1980],
                              "latitude": [1.0, 5.0, 1.0], "longitude": [21.0, 25.0, 1.0]})
    participants = pd.DataFrame({"mme_row": [1, 1, 2, 3], "ccode": [7, 8, 7, 9]})
    # BBB was state 8 then state 80 (a successor): the participant decides.
    iso3 = pd.DataFrame({"iso3": ["AAA", "BBB", "BBB"], "ccode": [7, 8, 80]})
    got = exercise_hosts(exercises, participants, iso3, POLYGONS).set_index("mme_row")
    assert got.loc[1, "host_ccode"] == 8        # in BBB and 8 takes part
    assert pd.isna(got.loc[2, "host_ccode"])    # in BBB, but neither 8 nor 80 takes part
    assert pd.isna(got.loc[3, "host_ccode"])    # in AAA, but 7 does not take part


def test_the_shipped_world_outline_places_known_capitals():
    polygons = country_polygons()
    # Paris, Tashkent, Washington DC, a point in the Atlantic.
    lon = np.array([2.35, 69.24, -77.04, -40.0])
    lat = np.array([48.86, 41.30, 38.91, 30.0])
    assert locate(lon, lat, polygons).tolist() == ["FRA", "UZB", "USA", None]

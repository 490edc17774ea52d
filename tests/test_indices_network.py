"""Degree, strength and eigenvector centrality per layer-year, checked on tiny graphs."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from pipelines.indices.network import layer_measures, network_measures


def edges(rows):
    return pd.DataFrame(rows, columns=["ccode1", "ccode2", "weight"])


def test_triangle_with_an_isolate():
    out = layer_measures(np.array([1, 2, 3, 4]),
                         edges([(1, 2, 2.0), (2, 3, 2.0), (1, 3, 2.0)])).set_index("ccode")
    assert out["degree"].tolist() == [2, 2, 2, 0]
    assert out["strength"].tolist() == [4.0, 4.0, 4.0, 0.0]
    assert out.loc[[1, 2, 3], "eigenvector"].tolist() == pytest.approx([1 / math.sqrt(3)] * 3,
                                                                       abs=1e-6)
    assert out.loc[4, "eigenvector"] == pytest.approx(0.0, abs=1e-6)
    assert out["component_size"].tolist() == [3, 3, 3, 1]
    assert set(out["eigenvector_method"]) == {"power_iteration"}
    assert out["n_edges"].iloc[0] == 3


def test_star_eigenvector_by_hand():
    # Leading eigenvalue sqrt(3): centre x = sqrt(3) y, x^2 + 3 y^2 = 1 -> x = 1/sqrt 2,
    # y = 1/sqrt 6.
    out = layer_measures(np.array([1, 2, 3, 4]),
                         edges([(1, 2, 1.0), (1, 3, 1.0), (1, 4, 1.0)])).set_index("ccode")
    assert out.loc[1, "eigenvector"] == pytest.approx(1 / math.sqrt(2), abs=1e-5)
    assert out.loc[2, "eigenvector"] == pytest.approx(1 / math.sqrt(6), abs=1e-5)


def test_non_convergence_falls_back_to_the_exact_eigenvector_and_says_so():
    out = layer_measures(np.array([1, 2, 3, 4]),
                         edges([(1, 2, 1.0), (1, 3, 1.0), (1, 4, 1.0)]),
                         max_iter=1).set_index("ccode")
    assert set(out["eigenvector_method"]) == {"numpy_eigh"}
    assert out.loc[1, "eigenvector"] == pytest.approx(1 / math.sqrt(2))


def test_graph_without_edges_has_no_eigenvector():
    out = layer_measures(np.array([1, 2]), edges([]))
    assert out["degree"].tolist() == [0, 0]
    assert out["eigenvector"].isna().all()
    assert set(out["eigenvector_method"]) == {"no_edges"}


def test_an_edge_to_an_unknown_state_is_an_error():
    with pytest.raises(ValueError, match="not nodes"):
        layer_measures(np.array([1, 2]), edges([(1, 3, 1.0)]))


def test_layers_only_cover_their_source_years_and_reordering_changes_nothing():
    nodes = pd.DataFrame({"ccode": [1, 2, 3, 1, 2, 3], "year": [2000] * 3 + [2001] * 3})
    all_edges = pd.DataFrame({
        "layer": ["alliance", "alliance", "joint_exercise"],
        "ccode1": [1, 1, 2], "ccode2": [2, 3, 3], "year": [2000, 2001, 2001],
        "weight": [3.0, 1.0, 2.0],
    })
    years = {"alliance": range(2000, 2002), "joint_exercise": range(2001, 2002)}
    out = network_measures(nodes, all_edges, years)
    assert sorted(set(zip(out["layer"], out["year"], strict=True))) == [
        ("alliance", 2000), ("alliance", 2001), ("joint_exercise", 2001)]
    row = out[(out.layer == "joint_exercise") & (out.ccode == 2)].iloc[0]
    assert (row["degree"], row["strength"]) == (1, 2.0)
    shuffled = network_measures(nodes.iloc[::-1], all_edges.iloc[::-1], years)
    key = ["layer", "year", "ccode"]
    pd.testing.assert_frame_equal(
        out.sort_values(key).reset_index(drop=True)[["layer", "year", "ccode", "degree",
                                                     "strength"]],
        shuffled.sort_values(key).reset_index(drop=True)[["layer", "year", "ccode", "degree",
                                                          "strength"]])


def test_matches_networkx_on_a_random_weighted_graph_with_several_components():
    generator = np.random.default_rng(7)
    node_list = list(range(100, 160))
    pairs = [(a, b) for a in node_list for b in node_list if a < b and generator.random() < 0.08]
    pairs = [(a, b) for a, b in pairs if not (a < 110 <= b or b < 110 <= a)]  # split off 100-109
    weights = generator.integers(1, 4, len(pairs)).astype(float)
    frame = edges([(a, b, w) for (a, b), w in zip(pairs, weights, strict=True)])
    out = layer_measures(np.array(node_list), frame).set_index("ccode")

    graph = nx.Graph()
    graph.add_nodes_from(node_list)
    graph.add_weighted_edges_from(frame.itertuples(index=False, name=None))
    expected = nx.eigenvector_centrality(graph, max_iter=1000, tol=1e-6, weight="weight")
    assert out["eigenvector"].to_dict() == pytest.approx(expected, abs=1e-12)
    assert out["degree"].to_dict() == dict(graph.degree())
    assert out["strength"].to_dict() == pytest.approx(dict(graph.degree(weight="weight")))
    sizes = {node: len(c) for c in nx.connected_components(graph) for node in c}
    assert out["component_size"].to_dict() == sizes
    assert out["n_edges"].iloc[0] == graph.number_of_edges()

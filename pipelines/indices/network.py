"""Network position of each state per cooperation layer and year (networkx).

Nodes are all system members that year (isolates included, with degree 0), so centralities are
comparable within a layer-year. Edges are undirected and weighted: the alliance level (3
defence, 2 offence/neutrality, 1 non-aggression/consultation), the number of joint full IGO
memberships, or the number of joint exercises.

Eigenvector centrality (weighted) is networkx's power iteration, scaled to unit Euclidean
norm. If it does not converge within max_iter it is computed exactly from the leading
eigenvector of the weighted adjacency matrix (numpy.linalg.eigh); the column
eigenvector_method says which one was used, so the fallback is never silent. In a disconnected
graph the leading eigenvector lives on the component with the largest eigenvalue: states in
other components get (close to) 0; component_size tells the reader which case applies.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

NETWORK_LAYERS = ("alliance", "joint_igo", "joint_exercise")


def _dense_eigenvector(graph: nx.Graph, nodes: list) -> dict:
    matrix = nx.to_numpy_array(graph, nodelist=nodes, weight="weight")
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    vector = np.abs(eigenvectors[:, np.argmax(eigenvalues)])
    return dict(zip(nodes, vector / np.linalg.norm(vector), strict=True))


def layer_measures(nodes: np.ndarray, edges: pd.DataFrame, max_iter: int = 1000,
                   tol: float = 1e-6) -> pd.DataFrame:
    """Degree, strength, eigenvector centrality and component size for one graph.

    nodes: ccodes; edges: (ccode1, ccode2, weight) with weight > 0. Edges touching a
    ccode not in nodes are an error (the caller's node list is wrong), not dropped.
    """
    graph = nx.Graph()
    node_list = [int(n) for n in nodes]
    graph.add_nodes_from(node_list)
    unknown = set(edges["ccode1"]).union(edges["ccode2"]) - set(node_list)
    if unknown:
        raise ValueError(f"edges name states that are not nodes: {sorted(unknown)[:5]}")
    graph.add_weighted_edges_from(
        zip(edges["ccode1"].astype(int), edges["ccode2"].astype(int),
            edges["weight"].astype(float), strict=True))
    degree = dict(graph.degree())
    strength = dict(graph.degree(weight="weight"))
    component_size = {}
    for component in nx.connected_components(graph):
        for node in component:
            component_size[node] = len(component)
    if graph.number_of_edges() == 0:
        eigenvector, method = dict.fromkeys(node_list, np.nan), "no_edges"
    else:
        try:
            eigenvector = nx.eigenvector_centrality(graph, max_iter=max_iter, tol=tol,
                                                    weight="weight")
            method = "power_iteration"
        except nx.PowerIterationFailedConvergence:
            eigenvector, method = _dense_eigenvector(graph, node_list), "numpy_eigh"
    return pd.DataFrame({
        "ccode": node_list,
        "degree": [degree[n] for n in node_list],
        "strength": [float(strength[n]) for n in node_list],
        "eigenvector": [float(eigenvector[n]) for n in node_list],
        "eigenvector_method": method,
        "component_size": [component_size[n] for n in node_list],
        "n_nodes": len(node_list),
        "n_edges": graph.number_of_edges(),
    })


def network_measures(nodes: pd.DataFrame, edges: pd.DataFrame, layer_years: dict[str, range],
                     max_iter: int = 1000, tol: float = 1e-6) -> pd.DataFrame:
    """All layers and years: nodes (ccode, year), edges (layer, ccode1, ccode2, year, weight).

    A layer is computed only for the years its source covers (layer_years), so a year with
    no exercise data is absent rather than a graph of isolates.
    """
    frames = []
    nodes_by_year = {year: group["ccode"].to_numpy() for year, group in nodes.groupby("year")}
    edges_by_key = dict(tuple(edges.groupby(["layer", "year"])))
    empty = edges.iloc[0:0]
    for layer, years in layer_years.items():
        for year in years:
            if year not in nodes_by_year:
                continue
            layer_edges = edges_by_key.get((layer, year), empty)
            frame = layer_measures(nodes_by_year[year], layer_edges, max_iter, tol)
            frame.insert(0, "year", year)
            frame.insert(0, "layer", layer)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)

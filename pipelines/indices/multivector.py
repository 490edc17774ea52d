"""Multi-vector foreign policy: how a state's cooperation is spread across partner blocs.

For each layer (alliances, joint security IGOs, joint IGOs, joint exercises) a state's ties
are split across its partners; a bloc's share in a layer is the part of those ties that goes
to the bloc's members (seeds/blocs.csv). A partner listed in several blocs in one year splits
its ties equally between them, so shares never count a tie twice. Ties to partners in no bloc
form the share "other". Layer shares are combined with the layer weights of indices.toml over
the layers in which the state has any tie that year. Concentration is the Herfindahl index of
the bloc shares re-scaled to sum 1 without "other"; the effective number of blocs is 1 / HHI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.indices.config import BlocMember


def bloc_membership(members: tuple[BlocMember, ...], years: range) -> pd.DataFrame:
    """(bloc, partner, year, fraction): fraction = 1 / blocs the partner is in that year."""
    rows = []
    for member in members:
        first = max(member.first_year or years.start, years.start)
        last = min(member.last_year if member.last_year is not None else years.stop - 1,
                   years.stop - 1)
        rows.extend((member.bloc, member.ccode, year) for year in range(first, last + 1))
    frame = pd.DataFrame(rows, columns=["bloc", "partner", "year"]).drop_duplicates()
    frame["fraction"] = 1.0 / frame.groupby(["partner", "year"])["bloc"].transform("count")
    return frame


def layer_bloc_shares(ties: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """Per (ccode, year) with any tie in this layer: total tie weight and each bloc's share.

    ties: (ccode, partner, year, value), directed (a pair appears once per direction),
    value >= 0. Returns ccode, year, total and one column per bloc (0 when no tie to it).
    """
    ties = ties[ties["value"] > 0]
    blocs = sorted(membership["bloc"].unique())
    if ties.empty:
        return pd.DataFrame(columns=["ccode", "year", "total", *blocs])
    totals = ties.groupby(["ccode", "year"], as_index=False)["value"].sum()
    totals = totals.rename(columns={"value": "total"})
    joined = ties.merge(membership, on=["partner", "year"], how="inner")
    joined["weighted"] = joined["value"] * joined["fraction"]
    by_bloc = joined.pivot_table(index=["ccode", "year"], columns="bloc", values="weighted",
                                 aggfunc="sum", fill_value=0.0)
    by_bloc = by_bloc.reindex(columns=blocs, fill_value=0.0).reset_index()
    out = totals.merge(by_bloc, on=["ccode", "year"], how="left")
    out[blocs] = out[blocs].fillna(0.0).div(out["total"], axis=0)
    return out


def layer_bloc_intensity(ties: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """Per (ccode, year): each bloc's share of the state's tie intensity per bloc member.

    A bloc's intensity is its tie weight divided by its size that year (the members'
    fractions, the state itself left out), so a bloc of 30 members does not outweigh a single
    partner state merely by its size. The intensities are re-scaled to sum 1 over the blocs;
    a state with no tie to any bloc is left out of this layer.
    """
    ties = ties[ties["value"] > 0]
    blocs = sorted(membership["bloc"].unique())
    if ties.empty:
        return pd.DataFrame(columns=["ccode", "year", *blocs])
    size = membership.groupby(["bloc", "year"], as_index=False)["fraction"].sum()
    size = size.rename(columns={"fraction": "size"})
    joined = ties.merge(membership, on=["partner", "year"], how="inner")
    if joined.empty:
        return pd.DataFrame(columns=["ccode", "year", *blocs])
    joined["weighted"] = joined["value"] * joined["fraction"]
    per_bloc = joined.groupby(["ccode", "year", "bloc"], as_index=False)["weighted"].sum()
    per_bloc = per_bloc.merge(size, on=["bloc", "year"])
    own = membership.rename(columns={"partner": "ccode", "fraction": "own"})
    per_bloc = per_bloc.merge(own, on=["ccode", "year", "bloc"], how="left")
    members = per_bloc["size"] - per_bloc["own"].fillna(0.0)
    per_bloc["intensity"] = per_bloc["weighted"] / members.where(members > 0)
    wide = per_bloc.pivot_table(index=["ccode", "year"], columns="bloc", values="intensity",
                                aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(columns=blocs, fill_value=0.0)
    wide = wide.div(wide.sum(axis=1), axis=0).reset_index()
    return wide


def combine_layers(layer_shares: dict[str, pd.DataFrame], weights: dict[str, float],
                   blocs: list[str]) -> pd.DataFrame:
    """Weighted mean of the layer shares over the layers in which the state has ties."""
    frames = []
    for layer, shares in layer_shares.items():
        weight = weights.get(layer, 0.0)
        if weight <= 0 or shares.empty:
            continue
        frame = shares[["ccode", "year", *blocs]].copy()
        frame[blocs] = frame[blocs] * weight
        frame["weight"] = weight
        frame["layer"] = layer
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["ccode", "year", *blocs, "layers_used", "n_layers_used"])
    stacked = pd.concat(frames, ignore_index=True)
    grouped = stacked.groupby(["ccode", "year"])
    out = grouped[blocs].sum()
    out = out.div(grouped["weight"].sum(), axis=0)
    # Which layers each row used, as a sorted comma list (vectorised: one boolean per layer).
    present = (stacked.groupby(["ccode", "year", "layer"]).size().unstack("layer")
               .reindex(out.index).fillna(0) > 0)
    names = sorted(present.columns)
    used = pd.Series("", index=out.index)
    for name in names:
        used = used.where(~present[name], used.where(used == "", used + ",") + name)
    out["layers_used"] = used
    out["n_layers_used"] = present[names].sum(axis=1).astype(int)
    return out.reset_index()


def concentration(shares: pd.DataFrame, blocs: list[str]) -> pd.DataFrame:
    """other_share, HHI, effective number of blocs and the largest bloc for each row.

    HHI = sum of squared bloc shares after re-scaling them to sum 1 over the blocs (ties to
    "other" are left out, because "other" is not one partner); NaN when no tie goes to any
    bloc. The largest bloc's share is reported as a share of all ties.
    """
    values = shares[blocs].to_numpy(dtype=float)
    in_blocs = values.sum(axis=1)
    out = pd.DataFrame(index=shares.index)
    out["other_share"] = np.clip(1.0 - in_blocs, 0.0, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        within = values / in_blocs[:, None]
        hhi = np.where(in_blocs > 0, (within**2).sum(axis=1), np.nan)
        out["hhi"] = hhi
        out["effective_blocs"] = 1.0 / hhi
    largest = values.argmax(axis=1)
    out["largest_bloc"] = np.where(in_blocs > 0, np.array(blocs, dtype=object)[largest], None)
    out["largest_bloc_share"] = np.where(in_blocs > 0, values.max(axis=1), np.nan)
    return out


def multivector(layer_ties: dict[str, pd.DataFrame], members: tuple[BlocMember, ...],
                weights: dict[str, float]) -> pd.DataFrame:
    """Bloc shares (share_<bloc>), other_share, HHI, effective blocs and largest bloc per
    (ccode, year) in which the state has a tie in at least one weighted layer."""
    present = [t for t in layer_ties.values() if not t.empty]
    if present:
        years = range(min(int(t["year"].min()) for t in present),
                      max(int(t["year"].max()) for t in present) + 1)
    else:
        years = range(0)
    membership = bloc_membership(members, years)
    blocs = sorted({m.bloc for m in members})
    shares = {layer: layer_bloc_shares(ties, membership) for layer, ties in layer_ties.items()}
    combined = combine_layers(shares, weights, blocs)
    measures = concentration(combined, blocs)
    out = combined[["ccode", "year", "n_layers_used", "layers_used"]].copy()
    for bloc in blocs:
        out[f"share_{bloc}"] = combined[bloc]
    out = pd.concat([out, measures], axis=1)
    # Size-normalised (per bloc member) shares: sum 1 over the blocs where any bloc tie exists.
    intensity = {layer: layer_bloc_intensity(ties, membership)
                 for layer, ties in layer_ties.items()}
    per_member = combine_layers(intensity, weights, blocs)
    per_member = per_member.rename(columns={b: f"per_member_share_{b}" for b in blocs})
    values = per_member[[f"per_member_share_{b}" for b in blocs]].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = values.sum(axis=1)
        rescaled = values / total[:, None]
        per_member["per_member_hhi"] = np.where(total > 0, (rescaled ** 2).sum(axis=1), np.nan)
    per_member["per_member_largest_bloc"] = np.where(
        total > 0, np.array(blocs, dtype=object)[values.argmax(axis=1)], None)
    keep = ["ccode", "year", *[f"per_member_share_{b}" for b in blocs], "per_member_hhi",
            "per_member_largest_bloc"]
    return out.merge(per_member[keep], on=["ccode", "year"], how="left")

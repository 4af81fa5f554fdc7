"""Measures of a sparse dictionary (a sparse autoencoder trained on a network's activations):
how sparse its codes are (L0), how much of the activations' variance its reconstructions
explain, how many of its latents never fire, and how class-pure a unit's top activations are.

The same functions score a layer's own neurons (pass the activations instead of the codes), so
features and neurons are compared with one ruler."""
from __future__ import annotations

import numpy as np

from .. import _validate as v
from .detection import _labels
from .representations import cluster_purity, sparsity_stats

__all__ = ["mean_l0", "fraction_variance_explained", "dead_latents", "unit_purity",
           "class_selectivity", "top_activating"]


def mean_l0(codes) -> float:
    """Average number of non-zero entries per code (row): the L0 "norm" a TopK dictionary
    fixes at k. (``sparsity_stats`` gives the min and max as well.)"""
    return sparsity_stats(codes)["nonzeros_mean"]


def fraction_variance_explained(x, x_hat) -> float:
    """1 - sum ||x - x_hat||^2 / sum ||x - mean(x)||^2, over all rows and columns.

    1 is a perfect reconstruction; 0 is no better than predicting the mean row of ``x``;
    negative is worse. (Gao et al., 2024 report the same quantity as normalised MSE = 1 - FVE.)
    The mean is taken over ``x`` itself, so the score of a PCA reconstruction of held-out rows
    and a dictionary's are on one scale."""
    a = v.array("x", x, ndim=2).astype(np.float64)
    b = v.array("x_hat", x_hat, ndim=2).astype(np.float64)
    v.same_shape("x", a, "x_hat", b)
    if len(a) < 2:
        raise ValueError(f"x needs at least 2 rows to have a variance, got {len(a)}")
    total = float(((a - a.mean(axis=0)) ** 2).sum())
    if total == 0.0:
        raise ValueError("x has zero variance (every row is the same): FVE is undefined")
    return float(1.0 - ((a - b) ** 2).sum() / total)


def dead_latents(codes) -> int:
    """Number of latents (columns) that are zero on every row: on this data they never fire, so
    they neither reconstruct anything nor get a gradient in a TopK dictionary."""
    z = v.array("codes", codes, ndim=2)
    return int((~np.any(z != 0, axis=0)).sum())


def top_activating(activations, unit: int, n: int = 16) -> np.ndarray:
    """Row indices of the ``n`` largest values of column ``unit`` (largest first): the examples
    that activate that feature or neuron most."""
    a = v.array("activations", activations, ndim=2)
    unit = v.positive_int("unit", unit, minimum=0, maximum=a.shape[1] - 1)
    n = v.positive_int("n", n, maximum=len(a))
    col = a[:, unit]
    idx = np.argpartition(-col, n - 1)[:n]
    return idx[np.argsort(-col[idx], kind="stable")]


def unit_purity(activations, labels, *, top: int = 50) -> dict:
    """Class purity of each unit's ``top`` largest positive activations.

    For unit j, take the ``top`` examples on which it is most active, and measure the share of
    them that belong to their most common class (``cluster_purity`` of one cluster): 1.0 means
    the unit's strongest activations all come from one class, 1/n_classes is what a unit blind
    to classes scores on balanced data. A unit that is positive on fewer than ``top`` examples
    cannot be scored: its purity is NaN (counting 3 hits as "pure" would flatter rare units).

    Returns {"purity": (units,) floats, "majority_class": (units,) ints (-1 where not scored),
    "scored": number of units with a purity}."""
    a = v.array("activations", activations, ndim=2)
    y = _labels("labels", labels, len(a))
    top = v.positive_int("top", top, maximum=len(a))
    purity = np.full(a.shape[1], np.nan)
    majority = np.full(a.shape[1], -1, dtype=np.int64)
    for j in range(a.shape[1]):
        if np.count_nonzero(a[:, j] > 0) < top:
            continue
        picked = y[top_activating(a, j, top)].astype(np.int64)
        purity[j] = cluster_purity(picked, np.zeros(top, dtype=np.int64))
        majority[j] = int(np.bincount(picked).argmax())
    return {"purity": purity, "majority_class": majority,
            "scored": int(np.count_nonzero(~np.isnan(purity)))}


def class_selectivity(activations, labels) -> np.ndarray:
    """Share of each unit's total positive activation that comes from its most-activating
    class: sum of a_j over that class's examples / sum of a_j over all examples.

    Where ``unit_purity`` looks at a unit's strongest ``top`` examples only, this weighs every
    example by how strongly the unit fires on it: a unit that fires on everything, a little,
    scores low even if its peak is pure. 1.0: it fires for one class only; 1/n_classes: evenly
    (on balanced data). NaN for a unit that never fires. Negative values count as 0 (silent)."""
    a = np.maximum(v.array("activations", activations, ndim=2), 0.0).astype(np.float64)
    y = _labels("labels", labels, len(a)).astype(np.int64)
    if y.min() < 0:
        raise ValueError(f"labels must be class indices >= 0, got {y.min()}")
    per_class = np.zeros((int(y.max()) + 1, a.shape[1]))
    np.add.at(per_class, y, a)
    total = per_class.sum(axis=0)
    out = np.full(a.shape[1], np.nan)
    alive = total > 0
    out[alive] = per_class.max(axis=0)[alive] / total[alive]
    return out

"""Properties of codes: k-NN accuracy, cluster purity, sparsity, principal angles
between subspaces."""
from __future__ import annotations

import numpy as np

from .. import _validate as v
from .detection import _labels

__all__ = ['knn_accuracy', 'principal_angles', 'cluster_purity', 'sparsity_stats']


def knn_accuracy(train_codes, train_labels, test_codes, test_labels, k: int = 5) -> float:
    """Accuracy of a k-nearest-neighbour classifier (Euclidean) fitted on ``train_codes`` and
    scored on held-out ``test_codes``: how well a map or code keeps classes apart."""
    from sklearn.neighbors import KNeighborsClassifier

    a = v.array("train_codes", train_codes, ndim=2)
    b = v.array("test_codes", test_codes, ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"train_codes and test_codes must have the same number of columns, "
                         f"got {a.shape[1]} and {b.shape[1]}")
    ya = _labels("train_labels", train_labels, len(a))
    yb = _labels("test_labels", test_labels, len(b))
    k = v.positive_int("k", k, maximum=len(a))
    import sklearn

    # distances are computed in chunks of at most 64 MB, so 784-D inputs stay light on memory
    with sklearn.config_context(working_memory=64):
        return float(KNeighborsClassifier(n_neighbors=k).fit(a, ya).score(b, yb))


def _orthonormal_columns(name, m):
    q, r = np.linalg.qr(m)
    d = np.abs(np.diag(r))
    if d.min() <= 1e-10 * max(d.max(), 1e-300):
        raise ValueError(f"{name} must have linearly independent columns (full column rank), "
                         f"so that its columns span a {m.shape[1]}-dimensional subspace")
    return q


def principal_angles(a, b) -> np.ndarray:
    """Principal angles (radians, ascending, in [0, pi/2]) between the column spans of ``a``
    (d x p) and ``b`` (d x q): min(p, q) angles, all 0 when one span contains the other, all
    pi/2 when they are orthogonal. Computed from orthonormal bases (QR) and an SVD; small angles
    come from the sines, so they stay accurate near 0. Each matrix needs full column rank."""
    v.array("a", a, ndim=2), v.array("b", b, ndim=2)  # checks only: keep float64 precision
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"a and b must have the same number of rows (the ambient dimension), "
                         f"got {a.shape[0]} and {b.shape[0]}")
    for name, m in (("a", a), ("b", b)):
        if m.shape[1] > m.shape[0]:
            raise ValueError(f"{name} must have at most as many columns as rows (k <= d), got "
                             f"shape {m.shape}; pass the basis vectors as columns")
    qa, qb = _orthonormal_columns("a", a), _orthonormal_columns("b", b)
    if qa.shape[1] < qb.shape[1]:
        qa, qb = qb, qa  # qb is the smaller span; its angles to the larger one are the answer
    # both lists run from the largest angle to the smallest: cosines ascending, sines descending
    cos = np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False)[::-1], 0.0, 1.0)
    sin = np.clip(np.linalg.svd(qb - qa @ (qa.T @ qb), compute_uv=False), 0.0, 1.0)
    # arccos loses precision near 0 and arcsin near pi/2: use each where it is accurate
    angles = np.where(cos ** 2 < 0.5, np.arccos(cos), np.arcsin(sin))
    return np.sort(angles)


def cluster_purity(labels, clusters) -> float:
    """Share of examples whose cluster's majority label is their own label (1.0 = every cluster
    holds a single label)."""
    y = v.labels("labels", labels)
    c = v.labels("clusters", clusters, len(y))
    return float(sum(np.bincount(y[c == j]).max() for j in np.unique(c)) / len(y))


def sparsity_stats(codes, *, threshold: float = 0.01) -> dict:
    """How sparse a batch of codes is (rows = examples, columns = code units).

    Returns mean_activation (mean of the codes), near_zero_fraction (share of entries with
    |a| < threshold), nonzeros_min / nonzeros_max / nonzeros_mean (exact non-zeros per code)
    and dead_units (units below threshold on every example)."""
    z = v.array("codes", codes, ndim=2)
    threshold = v.number("threshold", threshold, low=0.0)
    nonzeros = np.count_nonzero(z, axis=1)
    near_zero = np.abs(z) < threshold
    return {"mean_activation": float(z.mean()), "near_zero_fraction": float(near_zero.mean()),
            "nonzeros_min": int(nonzeros.min()), "nonzeros_max": int(nonzeros.max()),
            "nonzeros_mean": float(nonzeros.mean()), "dead_units": int(near_zero.all(axis=0).sum())}

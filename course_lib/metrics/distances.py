"""Distances between two samples of vectors: MMD and the Fréchet distance."""
from __future__ import annotations

import numpy as np

from .. import _validate as v

__all__ = ['mmd', 'frechet_distance']


def mmd(a, b, *, bandwidth: float = 1.0) -> float:
    """Maximum mean discrepancy between two samples (rows are points), with the RBF kernel
    k(x, y) = exp(-||x - y||^2 / (2 bandwidth^2)).

    Returns sqrt of the biased (V-statistic) estimate of MMD^2, so 0 for identical samples and
    never negative. Cost grows as len(a) * len(b): subsample to a few thousand rows.
    """
    a = v.array("a", a, ndim=2)
    b = v.array("b", b, ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"a and b must have the same number of columns, got {a.shape[1]} and "
                         f"{b.shape[1]}")
    bandwidth = v.number("bandwidth", bandwidth, low=0.0, low_open=True)
    a, b = a.astype(np.float64), b.astype(np.float64)

    def mean_kernel(p, q):
        sq = (p ** 2).sum(1)[:, None] + (q ** 2).sum(1)[None, :] - 2.0 * p @ q.T
        return float(np.exp(-np.maximum(sq, 0.0) / (2.0 * bandwidth ** 2)).mean())

    return float(np.sqrt(max(mean_kernel(a, a) + mean_kernel(b, b) - 2.0 * mean_kernel(a, b), 0.0)))


def frechet_distance(a, b) -> float:
    """Fréchet distance between Gaussians fitted to two samples of features (rows are points):
    ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), the measure behind FID. 0 when the
    two samples have the same mean and covariance; it needs more rows than columns."""
    a = v.array("a", a, ndim=2).astype(np.float64)
    b = v.array("b", b, ndim=2).astype(np.float64)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"a and b must have the same number of columns, got {a.shape[1]} and "
                         f"{b.shape[1]}")
    if min(len(a), len(b)) <= a.shape[1]:
        raise ValueError(f"a and b need more rows than columns ({a.shape[1]}) for a full "
                         f"covariance, got {len(a)} and {len(b)} rows")
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)

    def psd_sqrt(m):
        w, q = np.linalg.eigh(m)
        return (q * np.sqrt(np.maximum(w, 0.0))) @ q.T

    root = psd_sqrt(cov_a)  # Tr (S_a S_b)^(1/2) = Tr (S_a^(1/2) S_b S_a^(1/2))^(1/2), symmetric
    cross = np.sqrt(np.maximum(np.linalg.eigvalsh(root @ cov_b @ root), 0.0)).sum()
    diff = a.mean(0) - b.mean(0)
    return float(max(diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * cross, 0.0))

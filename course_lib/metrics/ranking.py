"""Ranking quality: recall@k and NDCG@k for recommendations, precision@k for retrieval."""
from __future__ import annotations

import numpy as np

from .. import _validate as v

__all__ = ['recall_at_k', 'ndcg_at_k', 'precision_at_k']


def _ranking_args(scores, held_out, k, exclude):
    s = v.array("scores", scores, ndim=2).copy()
    held = np.asarray(held_out)
    if held.shape != (len(s),) or not np.issubdtype(held.dtype, np.integer):
        raise ValueError(f"held_out must be one integer item index per row, shape ({len(s)},), "
                         f"got shape {held.shape} and dtype {held.dtype}")
    if held.min() < 0 or held.max() >= s.shape[1]:
        raise ValueError(f"held_out indices must be in [0, {s.shape[1] - 1}]")
    k = v.positive_int("k", k, maximum=s.shape[1])
    if exclude is not None:
        ex = v.array("exclude", exclude, ndim=2)
        v.same_shape("scores", s, "exclude", ex)
        s[ex > 0] = -np.inf  # never recommend what the customer already has
    # rank of the held-out item among the candidates (0 = first), ties counted pessimistically
    rank = (s >= s[np.arange(len(s)), held][:, None]).sum(axis=1) - 1
    return rank, k


def recall_at_k(scores, held_out, k: int = 10, *, exclude=None) -> float:
    """Share of rows whose single held-out item is among the k highest scores (items in
    ``exclude`` > 0, e.g. past purchases, are skipped)."""
    rank, k = _ranking_args(scores, held_out, k, exclude)
    return float(np.mean(rank < k))


def ndcg_at_k(scores, held_out, k: int = 10, *, exclude=None) -> float:
    """Normalized discounted cumulative gain with one relevant item per row:
    ``1 / log2(rank + 2)`` when it ranks in the top k, else 0; averaged over rows."""
    rank, k = _ranking_args(scores, held_out, k, exclude)
    return float(np.mean(np.where(rank < k, 1.0 / np.log2(rank + 2.0), 0.0)))


def _unit_rows(z):
    return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)


def precision_at_k(query_codes, query_labels, db_codes=None, db_labels=None, *, k: int = 10):
    """Share of each query's k nearest neighbours (cosine similarity) that have its label,
    averaged over queries. Without a database, each query searches the other queries
    (leave-one-out)."""
    q = v.array("query_codes", query_codes, ndim=2)
    ql = v.labels("query_labels", query_labels, len(q))
    leave_one_out = db_codes is None
    if leave_one_out:
        d, dl = q, ql
    else:
        d = v.array("db_codes", db_codes, ndim=2)
        dl = v.labels("db_labels", db_labels, len(d))
        if d.shape[1] != q.shape[1]:
            raise ValueError(f"db_codes must have {q.shape[1]} columns like query_codes, "
                             f"got {d.shape[1]}")
    k = v.positive_int("k", k, maximum=len(d) - (1 if leave_one_out else 0))
    qn, dn = _unit_rows(q), _unit_rows(d)
    hits = 0
    for start in range(0, len(q), 256):  # 256 queries at a time keeps memory flat
        sims = qn[start:start + 256] @ dn.T
        if leave_one_out:
            rows = np.arange(len(sims))
            sims[rows, start + rows] = -np.inf
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        hits += int((dl[nearest] == ql[start:start + 256, None]).sum())
    return hits / (len(q) * k)

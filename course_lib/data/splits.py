"""Ways to split data for a task: held-out purchases, anomaly splits, sliding windows,
few labels per class."""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import _validate as v

__all__ = ['hold_out_one', 'AnomalySplit', 'anomaly_split', 'sliding_windows', 'few_labels']


def hold_out_one(matrix, *, seed: int = 0):
    """Hide one random purchase per customer: returns ``(train_matrix, held_out_items)``.

    Every row needs at least two purchases, so each customer keeps something to learn from."""
    m = v.array("matrix", matrix, ndim=2)
    if not np.isin(m, (0.0, 1.0)).all():
        raise ValueError("matrix must hold only 0/1 purchases")
    counts = m.sum(axis=1)
    if counts.min() < 2:
        raise ValueError(f"matrix: every row needs >= 2 purchases, row {int(counts.argmin())} "
                         f"has {int(counts.min())}")
    rng = np.random.default_rng(v.positive_int("seed", seed, minimum=0))
    held = np.array([rng.choice(np.flatnonzero(row)) for row in m])
    train = m.copy()
    train[np.arange(len(m)), held] = 0.0
    return train, held


@dataclasses.dataclass(frozen=True)
class AnomalySplit:
    """Train and validation hold normal examples only; ``y_test`` is 1 for an anomaly."""
    x_train: np.ndarray
    x_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    normal_class: int

    def __repr__(self):
        return (f"AnomalySplit(normal_class={self.normal_class}, train={self.x_train.shape}, "
                f"val={self.x_val.shape}, test={self.x_test.shape}, "
                f"test anomalies={int(self.y_test.sum())})")


def anomaly_split(x, y, normal_class, *, x_test=None, y_test=None, validation: float = 0.2,
                  test: float = 0.2, seed: int = 0) -> AnomalySplit:
    """One class is "normal", every other class is an anomaly.

    The rows of ``x`` whose label is ``normal_class`` are shuffled (seeded); a ``validation``
    share of them becomes ``x_val`` (for choosing a threshold without labels of anomalies), the
    rest ``x_train``. Anomalies never reach train or validation. With ``x_test``/``y_test``
    given, they are the test set (other classes of ``x`` are dropped); without, a ``test`` share
    of the normal rows plus every anomalous row of ``x`` form the test set.
    """
    x = v.array("x", x, min_ndim=2)
    y = v.labels("y", y, len(x))
    v.integer("normal_class", normal_class)
    if normal_class not in set(np.unique(y).tolist()):
        raise ValueError(f"normal_class must be one of the labels in y {sorted(set(y.tolist()))}, "
                         f"got {normal_class}")
    validation = v.number("validation", validation, low=0.0, high=1.0, low_open=True,
                          high_open=True)
    seed = v.positive_int("seed", seed, minimum=0)
    if (x_test is None) != (y_test is None):
        raise ValueError("give both x_test and y_test, or neither")
    rng = np.random.default_rng(seed)
    normal = x[rng.permutation(np.flatnonzero(y == normal_class))]
    if x_test is None:
        test = v.number("test", test, low=0.0, high=1.0, low_open=True, high_open=True)
        n_test = int(round(test * len(normal)))
        rest = x[y != normal_class]
        xt = np.concatenate([normal[:n_test], rest])
        yt = np.concatenate([np.zeros(n_test, np.int64), np.ones(len(rest), np.int64)])
        normal = normal[n_test:]
    else:
        xt = v.array("x_test", x_test, min_ndim=2)
        if xt.shape[1:] != x.shape[1:]:
            raise ValueError(f"x_test rows must have shape {x.shape[1:]}, got {xt.shape[1:]}")
        y_test = v.labels("y_test", y_test, len(xt))
        yt = (y_test != normal_class).astype(np.int64)
    n_val = int(round(validation * len(normal)))
    if n_val < 1 or n_val >= len(normal):
        raise ValueError(f"normal_class {normal_class} has {len(normal)} training rows: too few "
                         f"to keep a validation share of {validation}")
    if yt.min() == yt.max():
        raise ValueError("the test set must hold both normal and anomalous rows")
    return AnomalySplit(x_train=normal[n_val:], x_val=normal[:n_val], x_test=xt, y_test=yt,
                        normal_class=int(normal_class))


def sliding_windows(series, width: int, step: int = 1):
    """Cut a 1-D series into windows ``series[s:s + width]`` for s = 0, step, 2*step, ...
    Returns ``(windows float32 (n, width), starts int64 (n,))``."""
    s = v.array("series", series, ndim=1)
    width = v.positive_int("width", width, minimum=2, maximum=len(s))
    step = v.positive_int("step", step)
    starts = np.arange(0, len(s) - width + 1, step, dtype=np.int64)
    return np.stack([s[i:i + width] for i in starts]), starts


def few_labels(y, per_class: int, *, seed: int = 0) -> np.ndarray:
    """Indices of ``per_class`` randomly chosen examples of every class in ``y`` (seeded,
    sorted): the small labelled set of a semi-supervised experiment."""
    y = v.labels("y", y)
    per_class = v.positive_int("per_class", per_class)
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    picked = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        if len(members) < per_class:
            raise ValueError(f"per_class={per_class} but class {c} has only {len(members)} "
                             f"examples")
        picked.append(rng.choice(members, per_class, replace=False))
    return np.sort(np.concatenate(picked))

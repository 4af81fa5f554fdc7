"""Detection quality: ROC-AUC, PR-AUC, precision/recall/F1 at a threshold, event recall."""
from __future__ import annotations

import numpy as np

from .. import _validate as v

__all__ = ['roc_auc', 'pr_auc', 'precision_recall_f1', 'event_recall']


def _labels(name, y, n):
    return v.labels(name, y, n, allow_bool=True)


def _binary_scores(y_true, scores):
    s = v.array("scores", scores, ndim=1)
    y = _labels("y_true", y_true, len(s))
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must hold only 0 (normal) and 1 (anomaly)")
    if y.min() == y.max():
        raise ValueError("y_true must contain both classes, 0 (normal) and 1 (anomaly)")
    return y, s.astype(np.float64)


def roc_auc(y_true, scores) -> float:
    """Area under the ROC curve with 1 = anomaly (positive) and higher score = more anomalous:
    the chance that a random anomaly scores above a random normal example (0.5 = guessing)."""
    from sklearn.metrics import roc_auc_score

    y, s = _binary_scores(y_true, scores)
    return float(roc_auc_score(y, s))


def pr_auc(y_true, scores) -> float:
    """Area under the precision-recall curve for the anomaly class (average precision). Unlike
    ROC-AUC it depends on how rare anomalies are: guessing scores the anomaly share."""
    from sklearn.metrics import average_precision_score

    y, s = _binary_scores(y_true, scores)
    return float(average_precision_score(y, s))


def precision_recall_f1(y_true, scores, threshold: float) -> dict:
    """Flag ``scores > threshold`` as anomalies and compare with ``y_true`` (1 = anomaly).

    Returns a dict with ``precision``, ``recall``, ``f1`` (0 where undefined, e.g. nothing
    flagged) and the confusion counts ``tp``, ``fp``, ``fn``, ``tn``.
    """
    y, s = _binary_scores(y_true, scores)
    threshold = v.number("threshold", threshold)
    flagged = s > threshold
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    fn = int(np.sum(~flagged & (y == 1)))
    tn = int(np.sum(~flagged & (y == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def event_recall(events, flagged_windows, window_starts, width: int) -> float:
    """Share of anomalous events caught: an event ``(start, end)`` (end exclusive) counts as
    detected when at least one flagged window ``[s, s + width)`` overlaps it."""
    starts = np.asarray(window_starts)
    if starts.ndim != 1 or not np.issubdtype(starts.dtype, np.integer) or starts.size == 0:
        raise ValueError(f"window_starts must be a non-empty 1-D integer array, got shape "
                         f"{starts.shape} and dtype {starts.dtype}")
    flags = np.asarray(flagged_windows)
    if flags.shape != starts.shape or flags.dtype != bool:
        raise ValueError(f"flagged_windows must be a bool array of shape {starts.shape}, got "
                         f"shape {flags.shape} and dtype {flags.dtype}")
    width = v.positive_int("width", width)
    if isinstance(events, (str, bytes)) or not hasattr(events, "__len__") or len(events) == 0:
        raise ValueError("events must be a non-empty sequence of (start, end) pairs")
    hit = starts[flags]
    caught = 0
    for i, ev in enumerate(events):
        try:
            start, end = int(ev[0]), int(ev[1])
        except (TypeError, ValueError, IndexError):
            raise TypeError(f"events[{i}] must be a (start, end, ...) tuple, got {ev!r}") from None
        if end <= start:
            raise ValueError(f"events[{i}]: end must be > start, got ({start}, {end})")
        caught += bool(np.any((hit < end) & (hit + width > start)))
    return caught / len(events)

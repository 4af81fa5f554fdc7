"""Linear probes: how much class information a representation exposes to a *linear* reader.

A probe is trained on frozen features (nothing flows back into the encoder) and scored on
held-out examples. Standardizing the features first makes representations of different scales
(pixels in [0, 1], PCA coefficients, network activations) comparable: the regularization then
treats every feature alike."""
from __future__ import annotations

import warnings

import numpy as np

from .. import _validate as v
from .detection import _labels

__all__ = ["linear_probe_accuracy"]


def linear_probe_accuracy(train_features, y_train, test_features, y_test, *,
                          max_iter: int = 300, C: float = 1.0) -> float:
    """Test accuracy of a multinomial logistic regression (scikit-learn, L2 penalty of
    strength 1/C, lbfgs for exactly at most ``max_iter`` iterations) fitted on standardized
    ``train_features`` (scaler fitted on the training rows only) and scored on
    ``test_features``. Deterministic: the same inputs give the same number. Convergence
    warnings are silenced: a fixed ``max_iter`` is part of the protocol, so every
    representation gets the same optimization budget."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    a = v.array("train_features", train_features, ndim=2)
    b = v.array("test_features", test_features, ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"train_features and test_features must have the same number of "
                         f"columns, got {a.shape[1]} and {b.shape[1]}")
    ya = _labels("y_train", y_train, len(a))
    yb = _labels("y_test", y_test, len(b))
    if len(np.unique(ya)) < 2:
        raise ValueError("y_train must contain at least 2 classes")
    max_iter = v.positive_int("max_iter", max_iter)
    C = v.number("C", C, low=0.0, low_open=True)
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter, C=C))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        probe.fit(a, ya)
    return float(probe.score(b, yb))

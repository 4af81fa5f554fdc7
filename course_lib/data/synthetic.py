"""Data the course generates with fixed seeds: purchase matrices, periodic series,
series with labelled anomalies."""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import _validate as v

__all__ = ['purchase_matrix', 'SERIES_PATTERNS', 'synthetic_series', 'SeriesWithAnomalies',
           'ANOMALY_KINDS', 'series_with_anomalies']


def purchase_matrix(n_customers: int = 2000, n_products: int = 200, *, n_segments: int = 8,
                    mean_purchases: float = 12.0, popular_share: float = 0.2, seed: int = 0):
    """A customers x products 0/1 purchase table with hidden customer segments.

    Each segment likes its own random set of ``2 * n_products / n_segments`` products (gamma
    weights); every product also has a Zipf-like popularity. A customer of segment s buys
    ``max(2, Poisson(mean_purchases))`` distinct products drawn from
    ``(1 - popular_share) * likes[s] + popular_share * popularity``. Returns
    ``(matrix float32 (n_customers, n_products), segments int (n_customers,))``.
    """
    n_customers = v.positive_int("n_customers", n_customers, minimum=2)
    n_products = v.positive_int("n_products", n_products, minimum=4)
    n_segments = v.positive_int("n_segments", n_segments, maximum=n_products // 2)
    mean_purchases = v.number("mean_purchases", mean_purchases, low=1.0, high=n_products / 2)
    popular_share = v.number("popular_share", popular_share, low=0.0, high=1.0)
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    popularity = rng.permutation(1.0 / np.arange(1, n_products + 1) ** 0.8)
    popularity /= popularity.sum()
    likes = np.zeros((n_segments, n_products))
    for s in range(n_segments):
        liked = rng.choice(n_products, size=max(2, 2 * n_products // n_segments), replace=False)
        likes[s, liked] = rng.gamma(1.0, 1.0, size=len(liked))
        likes[s] /= likes[s].sum()
    segments = rng.integers(0, n_segments, n_customers)
    matrix = np.zeros((n_customers, n_products), np.float32)
    for i, s in enumerate(segments):
        p = (1 - popular_share) * likes[s] + popular_share * popularity
        k = int(min(max(2, rng.poisson(mean_purchases)), np.count_nonzero(p)))
        matrix[i, rng.choice(n_products, size=k, replace=False, p=p)] = 1.0
    return matrix, segments


SERIES_PATTERNS = ("sine", "square", "sawtooth")


def synthetic_series(n: int, length: int = 64, *, noise: float = 0.1, seed: int = 0):
    """``n`` noisy periodic series with labels, for sequence autoencoders.

    Each series is one pattern of ``SERIES_PATTERNS`` (label 0 sine, 1 square, 2 sawtooth, in
    equal shares, shuffled), with a random period of 8 to 32 steps, random phase, amplitude in
    [0.5, 1] and Gaussian noise of std ``noise``; values are centred on 0.
    Returns ``(x, labels)``: x float32 of shape (n, length, 1), labels int64 of shape (n,).
    The same seed gives the same data.
    """
    n = v.positive_int("n", n)
    length = v.positive_int("length", length, minimum=8)
    noise = v.number("noise", noise, low=0.0)
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(SERIES_PATTERNS))
    period = rng.uniform(8, 32, (n, 1))
    phase = rng.uniform(0, 1, (n, 1))
    amp = rng.uniform(0.5, 1.0, (n, 1))
    cycles = np.arange(length)[None, :] / period + phase  # position in cycles
    frac = cycles % 1.0
    shapes = np.stack([np.sin(2 * np.pi * cycles), np.where(frac < 0.5, 1.0, -1.0),
                       2.0 * frac - 1.0])  # (patterns, n, length)
    clean = shapes[labels, np.arange(n)] * amp
    x = clean + noise * rng.standard_normal((n, length))
    return x[..., None].astype(np.float32), labels.astype(np.int64)


@dataclasses.dataclass(frozen=True)
class SeriesWithAnomalies:
    """``values[t]``; ``labels[t]`` is True inside an anomaly; ``events`` lists
    ``(start, end, kind)`` with ``end`` exclusive."""
    values: np.ndarray
    labels: np.ndarray
    events: tuple


ANOMALY_KINDS = ("spike", "level_shift", "noise_burst", "frequency", "flatline")


def series_with_anomalies(length: int = 10000, *, period: int = 50, noise: float = 0.1,
                          n_anomalies: int = 10, min_length: int = 10, max_length: int = 40,
                          kinds=ANOMALY_KINDS, seed: int = 0) -> SeriesWithAnomalies:
    """One long seasonal series (two sines, periods ``period`` and ``4 * period``, plus Gaussian
    noise of std ``noise``) with ``n_anomalies`` injected, non-overlapping events.

    Each event has a random length in [min_length, max_length] and a kind cycled from ``kinds``:
    spike (3 single-step jumps of +-3), level_shift (+1.5), noise_burst (extra noise std 0.6),
    frequency (the sine runs 3x faster), flatline (the value freezes). ``n_anomalies=0`` gives a
    clean series for training. The same seed gives the same series.
    """
    length = v.positive_int("length", length, minimum=100)
    period = v.positive_int("period", period, minimum=4, maximum=length // 4)
    noise = v.number("noise", noise, low=0.0)
    n_anomalies = v.positive_int("n_anomalies", n_anomalies, minimum=0)
    min_length = v.positive_int("min_length", min_length, minimum=3)
    max_length = v.positive_int("max_length", max_length, minimum=min_length)
    if isinstance(kinds, str) or not isinstance(kinds, (tuple, list)) or not kinds:
        raise TypeError(f"kinds must be a non-empty tuple from {ANOMALY_KINDS}, got {kinds!r}")
    for i, k in enumerate(kinds):
        v.option(f"kinds[{i}]", k, set(ANOMALY_KINDS))
    slot = length // max(n_anomalies, 1)
    if n_anomalies and slot < 2 * max_length + 2:
        raise ValueError(f"n_anomalies={n_anomalies} events of up to {max_length} steps do not fit "
                         f"in length={length}: use fewer events or a longer series")
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    t = np.arange(length, dtype=np.float64)
    phase = 2 * np.pi * t / period
    values = np.sin(phase) + 0.5 * np.sin(phase / 4) + noise * rng.standard_normal(length)
    labels = np.zeros(length, bool)
    events = []
    for i in range(n_anomalies):
        n = int(rng.integers(min_length, max_length + 1))
        # one event per slot, away from the slot's edges, so events never touch
        start = i * slot + int(rng.integers(max_length // 2, slot - n - max_length // 2 + 1))
        end, kind = start + n, kinds[i % len(kinds)]
        seg = slice(start, end)
        if kind == "spike":
            at = start + rng.choice(n, size=min(3, n), replace=False)
            values[at] += 3.0 * rng.choice((-1.0, 1.0), size=len(at))
        elif kind == "level_shift":
            values[seg] += 1.5
        elif kind == "noise_burst":
            values[seg] += 0.6 * rng.standard_normal(n)
        elif kind == "frequency":
            values[seg] += np.sin(3 * phase[seg]) - np.sin(phase[seg])
        else:  # flatline
            values[seg] = values[start]
        labels[seg] = True
        events.append((start, end, kind))
    return SeriesWithAnomalies(values.astype(np.float32), labels, tuple(events))

"""Helpers of lessons 17 (visualization) and 18 (anomaly detection)."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from course_lib import data, metrics, widgets


# ---- metrics.knn_accuracy ----------------------------------------------------------------
def test_knn_accuracy_separated_and_mixed(rng):
    a = np.concatenate([rng.normal(0, 0.1, (20, 2)), rng.normal(5, 0.1, (20, 2))])
    y = np.repeat([0, 1], 20)
    assert metrics.knn_accuracy(a, y, a + 0.01, y, k=5) == 1.0
    assert metrics.knn_accuracy(a, y, a, 1 - y, k=5) == 0.0


def test_knn_accuracy_bad_inputs(rng):
    a, y = rng.random((10, 2)), np.arange(10) % 2
    with pytest.raises(ValueError, match="same number of columns"):
        metrics.knn_accuracy(a, y, rng.random((4, 3)), y[:4])
    with pytest.raises(ValueError, match="train_labels"):
        metrics.knn_accuracy(a, y[:5], a, y)
    with pytest.raises(TypeError, match="test_labels"):
        metrics.knn_accuracy(a, y, a, y.astype(float))
    with pytest.raises(ValueError, match="k must be"):
        metrics.knn_accuracy(a, y, a, y, k=11)
    with pytest.raises(TypeError, match="k must be"):
        metrics.knn_accuracy(a, y, a, y, k=2.0)


# ---- roc_auc / pr_auc / precision_recall_f1 -------------------------------------------------
def test_auc_perfect_random_and_reversed():
    y = np.array([0, 0, 0, 1, 1])
    assert metrics.roc_auc(y, [0.1, 0.2, 0.3, 0.8, 0.9]) == 1.0
    assert metrics.roc_auc(y, [0.9, 0.8, 0.7, 0.2, 0.1]) == 0.0
    assert metrics.roc_auc(y, np.ones(5)) == 0.5
    assert metrics.pr_auc(y, [0.1, 0.2, 0.3, 0.8, 0.9]) == pytest.approx(1.0)
    assert metrics.pr_auc(y, np.ones(5)) == pytest.approx(0.4)  # guessing = anomaly share


def test_precision_recall_f1_counts():
    y = np.array([0, 0, 1, 1, 1])
    r = metrics.precision_recall_f1(y, [0.1, 0.6, 0.4, 0.7, 0.9], 0.5)
    assert (r["tp"], r["fp"], r["fn"], r["tn"]) == (2, 1, 1, 1)
    assert r["precision"] == pytest.approx(2 / 3) and r["recall"] == pytest.approx(2 / 3)
    assert r["f1"] == pytest.approx(2 / 3)
    none = metrics.precision_recall_f1(y, [0.1, 0.6, 0.4, 0.7, 0.9], 1.0)
    assert none["precision"] == 0.0 and none["recall"] == 0.0 and none["f1"] == 0.0


@pytest.mark.parametrize("fn", [metrics.roc_auc, metrics.pr_auc,
                                lambda y, s: metrics.precision_recall_f1(y, s, 0.5)])
def test_binary_metrics_bad_inputs(fn):
    with pytest.raises(ValueError, match="both classes"):
        fn([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="only 0"):
        fn([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="y_true must be one integer label per example"):
        fn([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="NaN"):
        fn([0, 1, 1], [0.1, np.nan, 0.3])
    with pytest.raises(TypeError, match="y_true must hold integer"):
        fn([0.0, 1.0, 1.0], [0.1, 0.2, 0.3])


def test_precision_recall_f1_bad_threshold():
    with pytest.raises(TypeError, match="threshold"):
        metrics.precision_recall_f1([0, 1], [0.1, 0.2], "high")


# ---- event_recall ---------------------------------------------------------------------------
def test_event_recall_overlap():
    starts = np.arange(0, 100, 10)
    flags = np.zeros(10, bool)
    flags[2] = True                       # window [20, 30)
    events = [(25, 40, "a"), (30, 35, "b"), (60, 70, "c")]
    assert metrics.event_recall(events, flags, starts, 10) == pytest.approx(1 / 3)
    assert metrics.event_recall(events, flags, starts, 11) == pytest.approx(2 / 3)


def test_event_recall_bad_inputs():
    starts, flags = np.arange(5), np.zeros(5, bool)
    with pytest.raises(ValueError, match="events"):
        metrics.event_recall([], flags, starts, 3)
    with pytest.raises(ValueError, match="flagged_windows"):
        metrics.event_recall([(0, 2)], flags.astype(int), starts, 3)
    with pytest.raises(ValueError, match="window_starts"):
        metrics.event_recall([(0, 2)], flags, starts.astype(float), 3)
    with pytest.raises(ValueError, match="end must be > start"):
        metrics.event_recall([(4, 2)], flags, starts, 3)
    with pytest.raises(TypeError, match=r"events\[0\]"):
        metrics.event_recall([5], flags, starts, 3)


# ---- data.anomaly_split ---------------------------------------------------------------------
def test_anomaly_split_with_and_without_test(rng):
    x, y = rng.random((60, 4)).astype(np.float32), np.arange(60) % 3
    s = data.anomaly_split(x, y, 1, validation=0.25, test=0.2, seed=0)
    assert len(s.x_train) + len(s.x_val) + (s.y_test == 0).sum() == 20
    assert (s.y_test == 1).sum() == 40 and len(s.x_val) == 4
    normal_rows = {tuple(r) for r in x[y == 1]}
    assert all(tuple(r) in normal_rows for r in np.concatenate([s.x_train, s.x_val]))
    xt, yt = rng.random((9, 4)), np.arange(9) % 3
    s2 = data.anomaly_split(x, y, 2, x_test=xt, y_test=yt)
    assert s2.y_test.tolist() == (yt != 2).astype(int).tolist()
    assert "normal_class=2" in repr(s2)
    again = data.anomaly_split(x, y, 2, x_test=xt, y_test=yt)
    assert np.array_equal(again.x_train, s2.x_train)


def test_anomaly_split_bad_inputs(rng):
    x, y = rng.random((30, 4)), np.arange(30) % 3
    with pytest.raises(ValueError, match="normal_class must be one of"):
        data.anomaly_split(x, y, 7)
    with pytest.raises(TypeError, match="normal_class"):
        data.anomaly_split(x, y, "shirt")
    with pytest.raises(ValueError, match="y must be one integer label"):
        data.anomaly_split(x, y[:5], 0)
    with pytest.raises(ValueError, match="validation"):
        data.anomaly_split(x, y, 0, validation=1.0)
    with pytest.raises(ValueError, match="both x_test and y_test"):
        data.anomaly_split(x, y, 0, x_test=x)
    with pytest.raises(ValueError, match="x_test rows"):
        data.anomaly_split(x, y, 0, x_test=rng.random((3, 5)), y_test=np.arange(3))
    with pytest.raises(ValueError, match="both normal and anomalous"):
        data.anomaly_split(x, y, 0, x_test=x[:3], y_test=np.zeros(3, int))


# ---- data.series_with_anomalies / sliding_windows ---------------------------------------------
def test_series_with_anomalies_events_and_seed():
    s = data.series_with_anomalies(2000, n_anomalies=5, seed=3)
    assert s.values.shape == s.labels.shape == (2000,) and s.values.dtype == np.float32
    assert [e[2] for e in s.events] == list(data.ANOMALY_KINDS)
    assert s.labels.sum() == sum(e[1] - e[0] for e in s.events)
    ends = [e[1] for e in s.events]
    assert all(b[0] > a for a, b in zip(ends, s.events[1:]))  # events never touch
    again = data.series_with_anomalies(2000, n_anomalies=5, seed=3)
    assert np.array_equal(s.values, again.values)
    clean = data.series_with_anomalies(500, n_anomalies=0)
    assert clean.events == () and not clean.labels.any()


def test_series_with_anomalies_bad_inputs():
    with pytest.raises(ValueError, match="do not fit"):
        data.series_with_anomalies(200, n_anomalies=10)
    with pytest.raises(ValueError, match="kinds"):
        data.series_with_anomalies(1000, kinds=("meteor",))
    with pytest.raises(TypeError, match="kinds"):
        data.series_with_anomalies(1000, kinds="spike")
    with pytest.raises(ValueError, match="max_length"):
        data.series_with_anomalies(1000, min_length=20, max_length=10)
    with pytest.raises(ValueError, match="noise"):
        data.series_with_anomalies(1000, noise=-1)


def test_sliding_windows():
    w, starts = data.sliding_windows(np.arange(10), 4, step=3)
    assert starts.tolist() == [0, 3, 6] and w[1].tolist() == [3, 4, 5, 6]
    with pytest.raises(ValueError, match="width"):
        data.sliding_windows(np.arange(10), 11)
    with pytest.raises(ValueError, match="series must have ndim 1"):
        data.sliding_windows(np.zeros((3, 3)), 2)
    with pytest.raises(TypeError, match="step"):
        data.sliding_windows(np.arange(10), 2, step=0.5)


# ---- widgets.threshold_explorer -------------------------------------------------------------
def test_threshold_explorer_updates_counts():
    y = np.array([0, 0, 0, 1, 1])
    s = np.array([0.1, 0.2, 0.6, 0.5, 0.9])
    e = widgets.threshold_explorer(y, s, threshold=0.3)
    assert e.result["threshold"] == 0.3 and e.result["recall"] == 1.0
    assert (e.result["fp"], e.result["tn"]) == (1, 2)
    e.controls["threshold"].value = e.controls["threshold"].options[-1][1]  # the top score
    assert e.result["tp"] == 0 and e.result["fn"] == 2 and e.result["precision"] == 0.0
    assert e.compute(0.55) == metrics.precision_recall_f1(y, s, 0.55) | {"threshold": 0.55}


def test_threshold_explorer_bad_inputs():
    with pytest.raises(ValueError, match="both classes"):
        widgets.threshold_explorer([0, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="log_scale"):
        widgets.threshold_explorer([0, 1], [0.0, 0.2])
    with pytest.raises(ValueError, match="n_steps"):
        widgets.threshold_explorer([0, 1], [0.1, 0.2], n_steps=1)
    e = widgets.threshold_explorer([0, 1], [-1.0, 0.2], log_scale=False)
    assert e.result["threshold"] in (-1.0, 0.2) or -1.0 <= e.result["threshold"] <= 0.2

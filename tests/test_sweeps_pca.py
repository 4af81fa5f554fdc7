"""plots.sweep_curves and metrics.pca_reconstruction / pca_curve (lessons 04 and 05)."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from course_lib import metrics, plots


@pytest.fixture
def low_rank(rng):
    """200 points on a 3-dimensional plane in 10 dimensions, plus a constant offset."""
    z = rng.normal(size=(200, 3))
    basis = np.linalg.qr(rng.normal(size=(10, 3)))[0].T
    return (z @ basis + 0.5).astype(np.float32)


def test_pca_reconstruction_exact_on_its_rank(low_rank):
    rec = metrics.pca_reconstruction(low_rank[:150], low_rank[150:], 3)
    assert rec.shape == (50, 10) and rec.dtype == np.float32
    assert metrics.mse(low_rank[150:], rec) < 1e-10
    rank1 = metrics.pca_reconstruction(low_rank[:150], low_rank[150:], 1)
    assert metrics.mse(low_rank[150:], rank1) > 1e-3


def test_pca_curve_decreases_and_matches_reconstruction(rng):
    x = rng.random((300, 16)).astype(np.float32)
    curve = metrics.pca_curve(x[:200], x[200:], ks=(1, 2, 4, 8, 16))
    assert list(curve) == [1, 2, 4, 8, 16]
    values = list(curve.values())
    assert all(a >= b for a, b in zip(values, values[1:]))
    assert curve[16] < 1e-10  # all components: exact
    rank4 = metrics.pca_reconstruction(x[:200], x[200:], 4)
    assert curve[4] == pytest.approx(metrics.mse(x[200:], rank4),
                                     rel=1e-5)


def test_pca_keeps_image_shape(rng):
    x = rng.random((40, 4, 4)).astype(np.float32)
    assert metrics.pca_reconstruction(x[:30], x[30:], 5).shape == (10, 4, 4)


def test_pca_bad_inputs(rng):
    x = rng.random((20, 6))
    with pytest.raises(ValueError, match="k must be"):
        metrics.pca_reconstruction(x, x, 7)
    with pytest.raises(TypeError, match="k must be"):
        metrics.pca_reconstruction(x, x, 2.5)
    with pytest.raises(ValueError, match="same number of features"):
        metrics.pca_reconstruction(x, x[:, :5], 2)
    with pytest.raises(ValueError, match="at least 2"):
        metrics.pca_curve(x[:1], x, ks=(1,))
    with pytest.raises(ValueError, match="ks must be"):
        metrics.pca_curve(x, x, ks=(2, 8))
    with pytest.raises(ValueError, match="ks must not be empty"):
        metrics.pca_curve(x, x, ks=())
    with pytest.raises(TypeError, match="x_train"):
        metrics.pca_curve("abc", x)


def test_sweep_curves_draws_one_line_per_label():
    fig = plots.sweep_curves({"AE": ([2, 4, 8], [0.3, 0.2, 0.1]),
                              "PCA": ([2, 4, 8], [0.4, 0.3, 0.2])},
                             xlabel="code size", highlight=4, log_y=True, title="t")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines[:2]] == ["AE", "PCA"]
    assert len(ax.lines) == 3  # two curves + the highlight line
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "code size"


def test_sweep_curves_bad_inputs():
    with pytest.raises(TypeError, match="curves"):
        plots.sweep_curves({}, xlabel="x")
    with pytest.raises(TypeError, match="pair"):
        plots.sweep_curves({"a": [1, 2, 3]}, xlabel="x")
    with pytest.raises(ValueError, match="same shape"):
        plots.sweep_curves({"a": ([1, 2], [1, 2, 3])}, xlabel="x")
    with pytest.raises(ValueError, match="log axis"):
        plots.sweep_curves({"a": ([0, 1], [1, 2])}, xlabel="x")
    with pytest.raises(TypeError, match="log_x"):
        plots.sweep_curves({"a": ([1, 2], [1, 2])}, xlabel="x", log_x="yes")
    with pytest.raises(TypeError, match="xlabel"):
        plots.sweep_curves({"a": ([1, 2], [1, 2])}, xlabel=None)

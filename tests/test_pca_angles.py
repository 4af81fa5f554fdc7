"""metrics.principal_angles and metrics.pca_basis (lesson 06), data.shuffle_pixels (lesson 07)."""
import numpy as np
import pytest

from course_lib import data, metrics


def _basis(rng, d, k):
    return np.linalg.qr(rng.normal(size=(d, k)))[0]


def test_identical_subspaces_have_zero_angles(rng):
    a = rng.normal(size=(30, 4))
    angles = metrics.principal_angles(a, a)
    assert angles.shape == (4,)
    assert np.allclose(angles, 0.0, atol=1e-7)


def test_orthogonal_subspaces_have_right_angles(rng):
    q = _basis(rng, 20, 6)
    angles = metrics.principal_angles(q[:, :3], q[:, 3:])
    assert np.allclose(angles, np.pi / 2, atol=1e-7)


def test_invariant_to_mixing_the_columns(rng):
    """Any invertible k x k mix (a rotation, a stretch) spans the same subspace."""
    a, b = rng.normal(size=(25, 5)), rng.normal(size=(25, 5))
    rotation = _basis(rng, 5, 5)
    mix = rng.normal(size=(5, 5)) + 3 * np.eye(5)
    base = metrics.principal_angles(a, b)
    assert np.allclose(metrics.principal_angles(a @ rotation, b), base, atol=1e-10)
    assert np.allclose(metrics.principal_angles(a, b @ mix), base, atol=1e-10)
    assert np.allclose(metrics.principal_angles(a @ mix, a), 0.0, atol=1e-7)


def test_known_angle_small_and_sorted(rng):
    q = _basis(rng, 12, 4)
    for t in (1e-9, 0.3, 1.2):
        b = q[:, :2].copy()
        b[:, 1] = np.cos(t) * q[:, 1] + np.sin(t) * q[:, 3]
        angles = metrics.principal_angles(q[:, :2], b)
        assert np.allclose(angles, [0.0, t], atol=1e-12, rtol=1e-9)  # accurate even near 0
    angles = metrics.principal_angles(rng.normal(size=(10, 3)), rng.normal(size=(10, 3)))
    assert np.all(np.diff(angles) >= 0) and np.all((angles >= 0) & (angles <= np.pi / 2))


def test_different_column_counts_and_nested_spans(rng):
    a = rng.normal(size=(15, 5))
    angles = metrics.principal_angles(a, a[:, :2] @ rng.normal(size=(2, 2)))
    assert angles.shape == (2,) and np.allclose(angles, 0.0, atol=1e-7)
    assert metrics.principal_angles(a[:, :2], a).shape == (2,)


def test_matches_scipy(rng):
    scipy_linalg = pytest.importorskip("scipy.linalg")
    a, b = rng.normal(size=(40, 6)), rng.normal(size=(40, 4))
    assert np.allclose(metrics.principal_angles(a, b), np.sort(scipy_linalg.subspace_angles(a, b)),
                       atol=1e-10)


def test_principal_angles_bad_inputs(rng):
    a = rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match="same number of rows"):
        metrics.principal_angles(a, rng.normal(size=(9, 3)))
    with pytest.raises(ValueError, match="a must have ndim 2"):
        metrics.principal_angles(np.ones(10), a)
    with pytest.raises(ValueError, match="b must have ndim 2"):
        metrics.principal_angles(a, np.ones(10))
    bad = a.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="b contains NaN"):
        metrics.principal_angles(a, bad)
    with pytest.raises(ValueError, match="a must have at most as many columns as rows"):
        metrics.principal_angles(rng.normal(size=(3, 5)), rng.normal(size=(3, 2)))
    with pytest.raises(ValueError, match="b must have linearly independent columns"):
        metrics.principal_angles(a, np.column_stack([a[:, 0], 2 * a[:, 0]]))
    with pytest.raises(TypeError, match="a must be an array of numbers"):
        metrics.principal_angles("abc", a)


def test_pca_basis_matches_reconstruction(rng):
    x = (rng.normal(size=(300, 3)) @ rng.normal(size=(3, 12)) + rng.normal(size=(300, 12)) * 0.05)
    x = x.astype(np.float32)
    mean, comps = metrics.pca_basis(x[:200], 3)
    assert mean.shape == (12,) and comps.shape == (12, 3) and comps.dtype == np.float32
    assert np.allclose(comps.T @ comps, np.eye(3), atol=1e-5)
    rec = (x[200:] - mean) @ comps @ comps.T + mean
    assert np.allclose(rec, metrics.pca_reconstruction(x[:200], x[200:], 3), atol=1e-5)
    # columns by decreasing variance
    var = ((x[:200] - mean) @ comps).var(axis=0)
    assert np.all(np.diff(var) <= 1e-6)
    # the same subspace as scikit-learn's PCA
    sk = pytest.importorskip("sklearn.decomposition").PCA(3).fit(x[:200])
    assert np.allclose(metrics.principal_angles(comps, sk.components_.T), 0.0, atol=1e-3)


def test_pca_basis_bad_inputs(rng):
    x = rng.random((20, 6))
    with pytest.raises(ValueError, match="k must be"):
        metrics.pca_basis(x, 7)
    with pytest.raises(TypeError, match="k must be"):
        metrics.pca_basis(x, 2.0)
    with pytest.raises(ValueError, match="at least 2"):
        metrics.pca_basis(x[:1], 1)
    with pytest.raises(ValueError, match="x_train must have at least 2 dimensions"):
        metrics.pca_basis(np.ones(6), 1)


def test_shuffle_pixels_is_one_fixed_permutation(rng):
    x = rng.random((5, 4, 4)).astype(np.float32)
    s = data.shuffle_pixels(x, seed=3)
    assert s.shape == x.shape and s.dtype == np.float32
    flat, sflat = x.reshape(5, -1), s.reshape(5, -1)
    assert np.allclose(np.sort(flat, axis=1), np.sort(sflat, axis=1))  # same pixel values
    perm = np.array([np.flatnonzero(flat[0] == v)[0] for v in sflat[0]])
    assert np.allclose(flat[:, perm], sflat)  # the same permutation for every image
    assert np.array_equal(data.shuffle_pixels(x, seed=3), s)
    assert not np.array_equal(data.shuffle_pixels(x, seed=4), s)


def test_shuffle_pixels_bad_inputs():
    with pytest.raises(ValueError, match="x must have at least 2 dimensions"):
        data.shuffle_pixels(np.ones(4))
    with pytest.raises(TypeError, match="seed must be"):
        data.shuffle_pixels(np.ones((2, 4)), seed=1.5)

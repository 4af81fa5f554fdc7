import numpy as np
import pytest

from course_lib import data, metrics


def test_mask_blocks_hides_one_square_per_image():
    x = np.random.default_rng(0).random((5, 8, 8)).astype(np.float32)
    out, mask = data.mask_blocks(x, 3, seed=1, return_mask=True)
    assert mask.shape == x.shape and (mask.sum(axis=(1, 2)) == 9).all()
    assert np.all(out[mask] == 0) and np.array_equal(out[~mask], x[~mask])
    flat, fmask = data.mask_blocks(x.reshape(5, 64), 3, seed=1, return_mask=True)
    np.testing.assert_array_equal(fmask.reshape(5, 8, 8), mask)
    with pytest.raises(ValueError, match="size"):
        data.mask_blocks(x, 9)
    with pytest.raises(ValueError, match="not a square"):
        data.mask_blocks(np.zeros((2, 10)), 2)


def test_masked_psnr_scores_only_the_hidden_pixels():
    x = np.zeros((2, 4), np.float32)
    x_hat = np.array([[0.1, 9, 9, 9], [0.1, 0.1, 9, 9]], np.float32)
    mask = np.array([[True, False, False, False], [True, True, False, False]])
    assert metrics.masked_psnr(x, x_hat, mask) == pytest.approx(20.0, rel=1e-4)
    with pytest.raises(TypeError, match="boolean"):
        metrics.masked_psnr(x, x_hat, mask.astype(int))
    with pytest.raises(ValueError, match="hides no pixel"):
        metrics.masked_psnr(x, x_hat, np.zeros((2, 4), bool))
    with pytest.raises(ValueError, match="shape of x"):
        metrics.masked_psnr(x, x_hat, mask[:, :2])


def test_pca_inpaint_recovers_low_rank_data():
    rng = np.random.default_rng(0)
    basis = rng.random((3, 20))
    x = (rng.random((200, 3)) @ basis / 3).astype(np.float32)  # rank 3, values in [0, 1]
    masked, mask = data.mask_pixels(x[:10], 0.3, seed=0, return_mask=True)
    filled = metrics.pca_inpaint(x[10:], masked, mask, k=3, ridge=0.0)
    np.testing.assert_allclose(filled, x[:10], atol=1e-3)
    assert np.array_equal(filled[~mask], x[:10][~mask])
    with pytest.raises(ValueError, match="k must be"):
        metrics.pca_inpaint(x[10:], masked, mask, k=0)
    with pytest.raises(ValueError, match="ridge"):
        metrics.pca_inpaint(x[10:], masked, mask, k=2, ridge=-1.0)

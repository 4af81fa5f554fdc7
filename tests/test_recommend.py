import numpy as np
import pytest

from course_lib import data, metrics


def test_purchase_matrix_is_seeded_binary_and_segmented():
    m, seg = data.purchase_matrix(300, 40, n_segments=4, seed=1)
    assert m.shape == (300, 40) and m.dtype == np.float32 and set(np.unique(m)) <= {0.0, 1.0}
    assert m.sum(axis=1).min() >= 2 and set(seg) <= set(range(4))
    again, _ = data.purchase_matrix(300, 40, n_segments=4, seed=1)
    np.testing.assert_array_equal(m, again)
    # customers of one segment share tastes: within-segment overlap beats across-segment overlap
    a, b = m[seg == 0], m[seg == 1]
    within = (a @ a.T)[np.triu_indices(len(a), 1)].mean()
    across = (a @ b.T).mean()
    assert within > 1.5 * across


@pytest.mark.parametrize("kwargs,word", [
    (dict(n_customers=1), "n_customers"), (dict(n_products=2), "n_products"),
    (dict(n_segments=0), "n_segments"), (dict(n_products=10, n_segments=6), "n_segments"),
    (dict(mean_purchases=0.5), "mean_purchases"), (dict(popular_share=1.5), "popular_share"),
])
def test_purchase_matrix_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        data.purchase_matrix(**kwargs)


def test_hold_out_one():
    m, _ = data.purchase_matrix(50, 20, n_segments=2, mean_purchases=5, seed=0)
    train, held = data.hold_out_one(m, seed=3)
    assert np.all(m[np.arange(50), held] == 1) and np.all(train[np.arange(50), held] == 0)
    assert (m - train).sum() == 50
    with pytest.raises(ValueError, match=">= 2 purchases"):
        data.hold_out_one(np.array([[1, 0, 0], [1, 1, 0]], np.float32))
    with pytest.raises(ValueError, match="0/1"):
        data.hold_out_one(np.full((2, 3), 0.5))


def test_recall_and_ndcg_at_k():
    scores = np.array([[0.9, 0.8, 0.1, 0.0], [0.1, 0.2, 0.3, 0.9]])
    held = np.array([1, 0])
    assert metrics.recall_at_k(scores, held, k=2) == 0.5
    assert metrics.ndcg_at_k(scores, held, k=2) == pytest.approx(0.5 / np.log2(3))
    # excluding item 0 (already bought) moves item 1 to the top of row 0
    exclude = np.array([[1, 0, 0, 0], [0, 0, 0, 0]])
    assert metrics.ndcg_at_k(scores, held, k=1, exclude=exclude) == pytest.approx(0.5)
    assert metrics.recall_at_k(scores, held, k=4) == 1.0


def test_ranking_bad_input():
    s = np.zeros((2, 3))
    with pytest.raises(ValueError, match="held_out"):
        metrics.recall_at_k(s, np.array([0.5, 1.0]), k=1)
    with pytest.raises(ValueError, match="held_out indices"):
        metrics.recall_at_k(s, np.array([0, 3]), k=1)
    with pytest.raises(ValueError, match="k must be"):
        metrics.ndcg_at_k(s, np.array([0, 1]), k=4)
    with pytest.raises(ValueError, match="same shape"):
        metrics.recall_at_k(s, np.array([0, 1]), k=1, exclude=np.zeros((2, 2)))

import numpy as np
import pytest

from course_lib import data, metrics


def test_docstring_corpus_is_labelled_and_deduplicated():
    texts, labels, names = data.docstring_corpus(("numpy.linalg", "numpy.fft"), min_words=20)
    assert names == ("numpy.linalg", "numpy.fft")
    assert len(texts) == len(labels) > 20 and set(labels) == {0, 1}
    assert len(set(texts)) == len(texts) and all(len(t.split()) >= 20 for t in texts)


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(modules="numpy.fft"), TypeError, "modules"), (dict(modules=()), TypeError, "modules"),
    (dict(modules=("no_such_module_xyz",)), ValueError, r"modules\[0\]"),
    (dict(min_words=0), ValueError, "min_words"),
])
def test_docstring_corpus_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        data.docstring_corpus(**kwargs)


def test_precision_at_k_leave_one_out_and_database():
    codes = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], np.float32)
    labels = np.array([0, 0, 1, 1])
    assert metrics.precision_at_k(codes, labels, k=1) == 1.0
    assert metrics.precision_at_k(codes, labels, k=3) == pytest.approx(1 / 3)
    db = np.array([[1, 0], [0, 1]], np.float32)
    assert metrics.precision_at_k(codes, labels, db, np.array([1, 0]), k=1) == 0.0


def test_precision_at_k_bad_input():
    codes, labels = np.eye(3, dtype=np.float32), np.arange(3)
    with pytest.raises(ValueError, match="k must be"):
        metrics.precision_at_k(codes, labels, k=3)  # only 2 others to search
    with pytest.raises(ValueError, match="query_labels"):
        metrics.precision_at_k(codes, labels[:2], k=1)
    with pytest.raises(ValueError, match="db_codes must have 3 columns"):
        metrics.precision_at_k(codes, labels, np.zeros((2, 2)), np.arange(2), k=1)
    with pytest.raises(ValueError, match="db_labels"):
        metrics.precision_at_k(codes, labels, codes, np.arange(2), k=1)


def test_cluster_purity():
    assert metrics.cluster_purity(np.array([0, 0, 1, 1]), np.array([5, 5, 7, 7])) == 1.0
    assert metrics.cluster_purity(np.array([0, 1, 0, 1]), np.array([0, 0, 0, 0])) == 0.5
    with pytest.raises(ValueError, match=r"clusters must be one integer label per example"):
        metrics.cluster_purity(np.array([0, 1]), np.array([0]))
    with pytest.raises(TypeError, match="integer"):
        metrics.cluster_purity(np.array([0.5, 1.0]), np.array([0, 1]))


def test_retrieval_explorer_finds_neighbours_headlessly():
    from course_lib import widgets

    rng = np.random.default_rng(0)
    codes = (np.repeat(np.eye(4, dtype=np.float32), 5, axis=0)
             + 0.01 * rng.random((20, 4)).astype(np.float32))
    labels = np.repeat(np.arange(4), 5)
    imgs = rng.random((20, 16)).astype(np.float32)
    e = widgets.retrieval_explorer(imgs[:4], codes[::5], imgs, codes, query_labels=labels[::5],
                                   db_labels=labels, k=5)
    assert e.result["precision"] == 1.0
    e.controls["query"].value = 2
    assert e.result["query"] == 2 and set(labels[e.result["neighbours"]]) == {2}
    with pytest.raises(ValueError, match="same lengths"):
        widgets.retrieval_explorer(imgs[:3], codes[:4], imgs, codes)
    with pytest.raises(ValueError, match="both query_labels and db_labels"):
        widgets.retrieval_explorer(imgs, codes, imgs, codes, query_labels=labels)
    with pytest.raises(ValueError, match="k must be"):
        widgets.retrieval_explorer(imgs, codes, imgs, codes, k=21)

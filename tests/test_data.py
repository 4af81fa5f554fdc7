import gzip
import shutil

import numpy as np
import pytest

from course_lib import data


@pytest.fixture(scope="module")
def fmnist():
    return data.load_fashion_mnist(subset=1000, test_subset=500, validation=0.1, seed=3)


def test_fashion_mnist_shapes_and_range(fmnist):
    assert fmnist.x_train.shape == (900, 28, 28) and fmnist.x_val.shape == (100, 28, 28)
    assert fmnist.x_test.shape == (500, 28, 28)
    assert fmnist.x_train.dtype == np.float32
    assert 0.0 <= fmnist.x_train.min() and fmnist.x_train.max() <= 1.0
    assert set(np.unique(fmnist.y_train)) <= set(range(10))
    assert len(fmnist.class_names) == 10


def test_fashion_mnist_deterministic_and_flatten(fmnist):
    again = data.load_fashion_mnist(subset=1000, test_subset=500, validation=0.1, seed=3,
                                    flatten=True)
    assert again.x_train.shape == (900, 784)
    np.testing.assert_array_equal(again.x_train, fmnist.x_train.reshape(900, 784))
    other = data.load_fashion_mnist(subset=1000, seed=4)
    assert not np.array_equal(other.x_train[:900], fmnist.x_train)


def test_fashion_mnist_full_sizes():
    d = data.load_fashion_mnist(validation=500)
    assert len(d.x_train) == 59500 and len(d.x_val) == 500 and len(d.x_test) == 10000


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(subset=0), ValueError, "subset"),
    (dict(subset=70000), ValueError, "subset"),
    (dict(subset=2.5), TypeError, "subset"),
    (dict(test_subset=-1), ValueError, "test_subset"),
    (dict(validation=1.0), ValueError, "validation"),
    (dict(validation=-3), ValueError, "validation"),
    (dict(flatten="yes"), TypeError, "flatten"),
    (dict(seed=-1), ValueError, "seed"),
])
def test_fashion_mnist_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        data.load_fashion_mnist(**kwargs)


def test_corrupted_file_names_file_and_checksum(tmp_path):
    src = data.fashion_mnist_dir()
    for name in data.FASHION_MNIST_FILES:
        shutil.copy(src / name, tmp_path / name)
    bad = tmp_path / "t10k-labels-idx1-ubyte.gz"
    raw = gzip.decompress(bad.read_bytes())
    bad.write_bytes(gzip.compress(raw[:-10]))  # truncated, still valid gzip
    with pytest.raises(data.ChecksumError) as err:
        data.load_fashion_mnist(data_dir=tmp_path)
    msg = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz" in msg
    assert data.FASHION_MNIST_FILES["t10k-labels-idx1-ubyte.gz"] in msg


def test_missing_data_offline_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(data.fashion_mnist, "_DEBIAN_DIR", tmp_path / "nope")
    with pytest.raises(data.DataNotFoundError) as err:
        data.fashion_mnist_dir(download=False)
    msg = str(err.value)
    assert "apt-get install dataset-fashion-mnist" in msg and "COURSE_DATA_DIR" in msg


def test_data_dir_lacking_files(tmp_path):
    with pytest.raises(data.DataNotFoundError, match="lacks"):
        data.fashion_mnist_dir(tmp_path)


def test_env_var_takes_precedence(tmp_path, monkeypatch):
    src = data.fashion_mnist_dir()
    for name in data.FASHION_MNIST_FILES:
        (tmp_path / name).symlink_to(src / name)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert data.fashion_mnist_dir() == tmp_path


def test_customers_products_matches_seed_example():
    t = data.customers_products()
    assert t.customers == ("C1", "C2", "C3", "C4", "C5") and len(t.products) == 6
    rows = ["".join(str(int(b)) for b in r) for r in t.values]
    assert rows == ["110000", "100010", "011100", "110010", "000101"]


def test_customers_products_missing_file(tmp_path):
    with pytest.raises(data.DataNotFoundError, match="ships with the course"):
        data.customers_products(tmp_path / "x.csv")


def test_gaussian_noise(tiny_images):
    noisy = data.add_gaussian_noise(tiny_images, 0.2, seed=1)
    assert noisy.shape == tiny_images.shape and noisy.min() >= 0 and noisy.max() <= 1
    np.testing.assert_array_equal(noisy, data.add_gaussian_noise(tiny_images, 0.2, seed=1))
    assert not np.array_equal(noisy, tiny_images)
    raw = data.add_gaussian_noise(tiny_images, 0.5, clip=False)
    assert raw.min() < 0 or raw.max() > 1
    np.testing.assert_array_equal(data.add_gaussian_noise(tiny_images, 0.0), tiny_images)


@pytest.mark.parametrize("sigma,exc", [(-0.1, ValueError), (1.5, ValueError), ("a", TypeError),
                                       (float("nan"), ValueError)])
def test_gaussian_noise_bad_sigma(tiny_images, sigma, exc):
    with pytest.raises(exc, match="sigma"):
        data.add_gaussian_noise(tiny_images, sigma)


def test_gaussian_noise_rejects_unscaled_images(tiny_images):
    with pytest.raises(ValueError, match=r"x must hold values in \[0, 1\]"):
        data.add_gaussian_noise(tiny_images * 255, 0.1)


def test_mask_pixels(tiny_images):
    masked, mask = data.mask_pixels(tiny_images, 0.5, seed=2, return_mask=True)
    assert 0.3 < mask.mean() < 0.7
    assert np.all(masked[mask] == 0) and np.array_equal(masked[~mask], tiny_images[~mask])
    with pytest.raises(ValueError, match="fraction"):
        data.mask_pixels(tiny_images, 1.2)
    with pytest.raises(ValueError, match="x must have at least 2"):
        data.mask_pixels(np.ones(5), 0.1)


def test_unwritable_download_folder_says_what_to_do(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")  # root ignores permissions, so block with a file instead
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(blocker / "keras"))
    monkeypatch.setattr(data.fashion_mnist, "_DEBIAN_DIR", tmp_path / "nope")
    with pytest.raises(data.DataNotFoundError) as err:
        data.fashion_mnist_dir(download=True)
    msg = str(err.value)
    assert "cannot create the download folder" in msg and "COURSE_DATA_DIR" in msg

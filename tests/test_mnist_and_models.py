"""MNIST loaders against the real shared test set, and the Keras model builders."""

import gzip
import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from labsupport import arith, datasets, models
from labsupport.datasets import ChecksumError, DataFile, DatasetNotFoundError, load_mnist, read_idx, read_mnist
from labsupport.profiles import PROFILES
from labsupport.show import stand_in_banner

SHARED = Path(os.environ.get("LABSUPPORT_DATA_DIR") or Path(__file__).parents[2] / "shared" / "datasets")
needs_shared = pytest.mark.skipif(not (SHARED / "mnist" / "t10k-labels-idx1-ubyte.gz").exists(),
                                  reason="the shared MNIST test set is not beside the repository")


@pytest.fixture
def empty_places(data_places):
    return data_places("mnist")


@needs_shared
def test_idx_parsing_of_the_official_test_set():
    labels = read_idx(SHARED / "mnist" / "t10k-labels-idx1-ubyte.gz")
    images = read_idx(SHARED / "mnist" / "t10k-images-idx3-ubyte.gz")
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert images.max() == 255 and images[0, :4].sum() == 0  # the border of a digit is blank


@needs_shared
def test_only_the_test_set_is_split_and_says_so(empty_places):
    folder, _ = empty_places
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(SHARED / "mnist" / name, folder / name)
    mnist = read_mnist()
    assert not mnist.official_split and not mnist.stand_in
    assert "only the official 10,000-image test set" in mnist.source and "8,000" in mnist.source
    assert (len(mnist.x_train), len(mnist.x_test)) == (8_000, 2_000)
    assert np.bincount(mnist.y_test).min() >= 170  # stratified: every digit is tested


@needs_shared
def test_uncompressed_idx_test_files_are_checked_too(empty_places):
    folder, _ = empty_places
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (folder / name[:-3]).write_bytes(gzip.decompress((SHARED / "mnist" / name).read_bytes()))
    assert len(read_mnist().x_test) == 2_000
    (folder / "t10k-labels-idx1-ubyte").write_bytes(b"\x00" * 10)
    with pytest.raises(ChecksumError, match="t10k-labels-idx1-ubyte"):
        read_mnist()


def test_a_checksum_mismatch_is_refused(empty_places):
    folder, _ = empty_places
    (folder / "mnist.npz").write_bytes(b"not the real file")
    with pytest.raises(ChecksumError, match=r"mnist\.npz.*expected sha256:731c5ac6"):
        read_mnist()


def test_offline_without_data_says_what_to_put_where(empty_places):
    folder, cache = empty_places
    with pytest.raises(DatasetNotFoundError) as error:
        read_mnist()
    message = str(error.value)
    assert "LABSUPPORT_OFFLINE=1" in message
    for name in ("mnist.npz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert str(folder / name) in message and str(cache / name) in message
    assert "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873" in message


def write_npz(path, n_train=60_000, n_test=10_000):
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8), y_train=np.arange(n_train) % 10,
             x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8), y_test=np.arange(n_test) % 10)
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_mnist_npz_is_read_from_the_data_folder(empty_places, monkeypatch):
    folder, _ = empty_places
    digest = write_npz(folder / "mnist.npz")
    monkeypatch.setattr(datasets, "MNIST_NPZ", DataFile("mnist", "mnist.npz", digest))
    mnist = read_mnist()
    assert mnist.official_split and mnist.x_train.shape == (60_000, 28, 28) and "mnist.npz" in mnist.source


def test_an_official_file_of_the_wrong_size_is_refused(empty_places, monkeypatch):
    folder, _ = empty_places
    digest = write_npz(folder / "mnist.npz", n_train=30)
    monkeypatch.setattr(datasets, "MNIST_NPZ", DataFile("mnist", "mnist.npz", digest))
    with pytest.raises(ValueError, match=r"x_train has shape \(30, 28, 28\), expected \(60000, 28, 28\)"):
        read_mnist()


def test_download_goes_through_keras_datasets_into_the_cache(empty_places, monkeypatch):
    _, cache = empty_places
    monkeypatch.setenv(datasets.OFFLINE_VAR, "0")
    digests = {}

    class FakeMnist:
        @staticmethod
        def load_data():
            digests["npz"] = write_npz(cache / "mnist.npz")
            monkeypatch.setattr(datasets, "MNIST_NPZ", DataFile("mnist", "mnist.npz", digests["npz"]))

    monkeypatch.setattr(datasets, "import_keras_datasets", lambda: type("keras_datasets", (), {"mnist": FakeMnist}))
    mnist = read_mnist()
    assert mnist.official_split and str(cache / "mnist.npz") in mnist.source


def test_a_failed_download_falls_back_and_reports(empty_places, monkeypatch):
    monkeypatch.setenv(datasets.OFFLINE_VAR, "0")

    class NoNetwork:
        @staticmethod
        def load_data():
            raise OSError("network unreachable")

    monkeypatch.setattr(datasets, "import_keras_datasets", lambda: type("keras_datasets", (), {"mnist": NoNetwork}))
    with pytest.raises(DatasetNotFoundError, match="download failed .*network unreachable"):
        read_mnist()
    assert load_mnist(allow_stand_in=True).stand_in


def test_the_stand_in_is_labelled_and_mnist_shaped(empty_places):
    mnist = load_mnist(allow_stand_in=True)
    assert mnist.stand_in and not mnist.official_split and mnist.source.startswith("STAND-IN, not MNIST")
    assert mnist.x_train.shape[1:] == (28, 28) and mnist.x_train.dtype == np.uint8


@pytest.mark.parametrize("payload, fragment", [
    (b"\x01\x02\x08\x01", "IDX header"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]), "declares shape"),
])
def test_read_idx_refuses_what_is_not_idx(tmp_path, payload, fragment):
    (tmp_path / "bad-idx").write_bytes(payload)
    with pytest.raises(ValueError, match=fragment):
        read_idx(tmp_path / "bad-idx")


def layer_shapes(model):
    return [tuple(layer.output.shape[1:]) for layer in model.layers]


def test_digits_cnn_shapes_and_counts_match_the_arithmetic():
    model = models.digits_cnn(0.1, 1e-3)
    table = arith.shape_table((8, 8, 1), [("conv", 10, 3, 1, "same"), ("pool", 2), ("flatten",), ("dense", 50),
                                          ("dense", 10)])
    assert layer_shapes(model) == [shape for _, shape, _ in table]
    assert [layer.count_params() for layer in model.layers] == [params for *_, params in table]
    assert len(model.losses) == 3  # an L2 penalty on every layer with weights


def test_mnist_cnn_shapes_and_counts_match_the_arithmetic():
    model = models.mnist_cnn(dropout=0.25)
    table = arith.shape_table((28, 28, 1), [("conv", 32, 5, 1, "same"), ("pool", 2), ("conv", 64, 5, 1, "same"),
                                            ("pool", 2), ("flatten",), ("dense", 1024), ("dropout",), ("dense", 10)])
    assert layer_shapes(model) == [shape for _, shape, _ in table]
    assert model.count_params() == sum(params for *_, params in table) == 3_274_634
    assert model.layers[-2].rate == 0.25


@pytest.mark.parametrize("call, fragment", [
    (lambda: models.digits_cnn(0, 1e-3), "learning_rate=0"),
    (lambda: models.digits_cnn(0.1, -1), "l2=-1"),
    (lambda: models.mnist_cnn(dropout=1.0), "dropout=1.0"),
    (lambda: models.single_kernel_model(0), "kernel_size=0"),
])
def test_builders_refuse_bad_arguments(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()


@pytest.mark.parametrize("build", [lambda seed: models.digits_cnn(0.1, 1e-3, seed=seed),
                                   lambda seed: models.mnist_cnn(seed=seed)])
def test_a_seeded_builder_ignores_the_global_random_state(build):
    import random

    random.seed(1)  # a Dask worker's other threads draw from this global generator at any moment
    first = build(7).get_weights()
    random.seed(2)
    second = build(7).get_weights()
    other = build(8).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("profile", ["ci", "book"])
def test_without_data_or_network_the_ci_and_book_profiles_get_the_stand_in(empty_places, monkeypatch, profile):
    folder, cache = empty_places
    monkeypatch.setenv("LABSUPPORT_PROFILE", profile)
    mnist = load_mnist()
    assert mnist.stand_in.dataset == "MNIST" and not mnist.official_split
    assert str(folder / "mnist.npz") in mnist.stand_in.missing and "LABSUPPORT_OFFLINE=1" in mnist.stand_in.missing
    assert "$LABSUPPORT_DATA_DIR/mnist/" in mnist.stand_in.how_to_get


def test_without_data_or_network_the_full_profile_raises_the_clear_error(empty_places, monkeypatch):
    monkeypatch.setenv("LABSUPPORT_PROFILE", "full")
    assert not PROFILES["full"].allow_stand_in
    with pytest.raises(DatasetNotFoundError, match="Put either the first file or the other four in place"):
        load_mnist()


def test_a_damaged_file_is_an_error_even_where_a_stand_in_is_allowed(empty_places):
    folder, _ = empty_places
    (folder / "mnist.npz").write_bytes(b"not the real file")
    with pytest.raises(ChecksumError):
        load_mnist(allow_stand_in=True)


@needs_shared
def test_real_data_gets_no_banner(empty_places):
    folder, _ = empty_places
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(SHARED / "mnist" / name, folder / name)
    assert stand_in_banner(load_mnist(allow_stand_in=True)) is None


def test_the_banner_names_what_was_missing_and_how_to_get_it(empty_places):
    folder, _ = empty_places
    banner = stand_in_banner(load_mnist(allow_stand_in=True))
    page = banner._repr_html_()
    assert page.startswith('<div class="admonition warning')
    assert "Stand-in data: MNIST was not found" in page
    assert "Every MNIST figure and number below this box comes from a stand-in" in page
    assert str(folder / "mnist.npz") in page  # what was missing, and where it was looked for
    assert "<code>$LABSUPPORT_DATA_DIR/mnist/</code>" in page  # how to get it
    assert repr(banner).startswith("WARNING: Stand-in data: MNIST")
    assert banner._repr_markdown_().startswith("> **Warning: Stand-in data: MNIST")

"""MNIST: the official files in either form, the damaged file, the stand-in (labsupport.datasets.mnist)."""

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from labsupport import datasets
from labsupport.datasets import ChecksumError, DataFile, DatasetNotFoundError, load_mnist, read_idx, read_mnist
from labsupport.datasets import mnist as mnist_module
from labsupport.profiles import PROFILES
from labsupport.show import stand_in_banner

SHARED = Path(os.environ.get("LABSUPPORT_DATA_DIR") or Path(__file__).parents[2] / "shared" / "datasets")
TRAIN = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
TEST_GZ = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
needs_shared = pytest.mark.skipif(
    not all((SHARED / "mnist" / name).exists() for name in TRAIN + TEST_GZ),
    reason="the shared official MNIST is not beside the repository")


@pytest.fixture
def empty_places(data_places):
    return data_places("mnist")


def link_shared(folder, names):
    """The shared files, linked (not copied: 55 MB) into a test's data folder."""
    for name in names:
        (folder / name).symlink_to(SHARED / "mnist" / name)


@needs_shared
def test_idx_parsing_of_the_official_test_set():
    labels = read_idx(SHARED / "mnist" / "t10k-labels-idx1-ubyte.gz")
    images = read_idx(SHARED / "mnist" / "t10k-images-idx3-ubyte.gz")
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert images.max() == 255 and images[0, :4].sum() == 0  # the border of a digit is blank


@needs_shared
def test_uncompressed_training_and_gzipped_test_files_give_the_official_split(empty_places):
    folder, _ = empty_places
    link_shared(folder, TRAIN + TEST_GZ)
    mnist = read_mnist()
    assert mnist.official_split and mnist.stand_in is None
    assert (mnist.x_train.shape, mnist.x_test.shape) == ((60_000, 28, 28), (10_000, 28, 28))
    # the official training set's published label counts, mean and deviation
    assert np.bincount(mnist.y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    pixels = mnist.x_train / 255.0
    assert round(pixels.mean(), 4) == 0.1307 and round(pixels.std(), 4) == 0.3081
    assert "the official split" in mnist.source
    assert stand_in_banner(load_mnist(allow_stand_in=True)) is None


@needs_shared
def test_uncompressed_test_files_are_accepted_and_checked_too(empty_places):
    folder, _ = empty_places
    link_shared(folder, TRAIN)
    for name in TEST_GZ:
        (folder / name[:-3]).write_bytes(gzip.decompress((SHARED / "mnist" / name).read_bytes()))
    assert read_mnist().official_split
    (folder / "t10k-labels-idx1-ubyte").write_bytes(b"\x00" * 10)
    with pytest.raises(ChecksumError, match="t10k-labels-idx1-ubyte"):
        read_mnist()


@needs_shared
def test_a_damaged_training_file_is_an_error_never_a_fallback(empty_places):
    folder, _ = empty_places
    link_shared(folder, TEST_GZ + TRAIN[:1])
    content = bytearray((SHARED / "mnist" / TRAIN[1]).read_bytes())
    content[-1] = (content[-1] + 1) % 10  # one label changed: still IDX, no longer MNIST
    (folder / TRAIN[1]).write_bytes(bytes(content))
    for load in (read_mnist, lambda: load_mnist(allow_stand_in=True)):
        with pytest.raises(ChecksumError, match=r"train-labels-idx1-ubyte has sha256:.*expected sha256:65a50cbb"):
            load()


@needs_shared
def test_the_test_set_alone_is_not_split_but_replaced_by_the_stand_in(empty_places):
    folder, cache = empty_places
    link_shared(folder, TEST_GZ)
    with pytest.raises(DatasetNotFoundError) as error:
        read_mnist()
    message = str(error.value)
    assert f"test_images: found {folder / TEST_GZ[0]}" in message
    for name in ("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        assert str(folder / name) in message and str(cache / name) in message
    mnist = load_mnist(allow_stand_in=True)
    assert mnist.stand_in and not mnist.official_split


def test_a_checksum_mismatch_is_refused(empty_places):
    folder, _ = empty_places
    (folder / "mnist.npz").write_bytes(b"not the real file")
    with pytest.raises(ChecksumError, match=r"mnist\.npz.*expected sha256:731c5ac6"):
        read_mnist()


def test_offline_without_data_names_every_file_in_both_forms(empty_places):
    folder, cache = empty_places
    with pytest.raises(DatasetNotFoundError) as error:
        read_mnist()
    message = str(error.value)
    assert "LABSUPPORT_OFFLINE=1" in message and "each gzipped or uncompressed" in message
    for alternatives in mnist_module.MNIST_IDX.values():
        for file in alternatives:
            assert str(folder / file.filename) in message and str(cache / file.filename) in message
            assert file.digest in message
    assert str(folder / "mnist.npz") in message
    assert "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873" in message
    assert "sha256:ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db" in message


def write_npz(path, n_train=60_000, n_test=10_000):
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8), y_train=np.arange(n_train) % 10,
             x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8), y_test=np.arange(n_test) % 10)
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_mnist_npz_is_read_from_the_data_folder(empty_places, monkeypatch):
    folder, _ = empty_places
    digest = write_npz(folder / "mnist.npz")
    monkeypatch.setattr(mnist_module, "MNIST_NPZ", DataFile("mnist", "mnist.npz", digest))
    mnist = read_mnist()
    assert mnist.official_split and mnist.x_train.shape == (60_000, 28, 28) and "mnist.npz" in mnist.source


def test_an_official_file_of_the_wrong_size_is_refused(empty_places, monkeypatch):
    folder, _ = empty_places
    digest = write_npz(folder / "mnist.npz", n_train=30)
    monkeypatch.setattr(mnist_module, "MNIST_NPZ", DataFile("mnist", "mnist.npz", digest))
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
            monkeypatch.setattr(mnist_module, "MNIST_NPZ", DataFile("mnist", "mnist.npz", digests["npz"]))

    monkeypatch.setattr(mnist_module, "import_keras_datasets",
                        lambda: type("keras_datasets", (), {"mnist": FakeMnist}))
    mnist = read_mnist()
    assert mnist.official_split and str(cache / "mnist.npz") in mnist.source


def test_a_failed_download_falls_back_and_reports(empty_places, monkeypatch):
    monkeypatch.setenv(datasets.OFFLINE_VAR, "0")

    class NoNetwork:
        @staticmethod
        def load_data():
            raise OSError("network unreachable")

    monkeypatch.setattr(mnist_module, "import_keras_datasets",
                        lambda: type("keras_datasets", (), {"mnist": NoNetwork}))
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
    with pytest.raises(DatasetNotFoundError, match="or the four IDX files, each gzipped or uncompressed"):
        load_mnist()


def test_a_damaged_file_is_an_error_even_where_a_stand_in_is_allowed(empty_places):
    folder, _ = empty_places
    (folder / "mnist.npz").write_bytes(b"not the real file")
    with pytest.raises(ChecksumError):
        load_mnist(allow_stand_in=True)


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

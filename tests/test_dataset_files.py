"""Finding dataset files and checking them (labsupport.datasets.files)."""

import hashlib

import pytest

from labsupport import datasets
from labsupport.datasets import ChecksumError, DataFile, DatasetNotFoundError

CONTENT = b"real bytes of a dataset file"
SPEC = DataFile("toy", "toy.bin", "sha256:" + hashlib.sha256(CONTENT).hexdigest())


@pytest.fixture
def places(data_places):
    """An empty data folder and an empty Keras cache, downloads allowed."""
    return data_places(offline=False)


def test_data_folder_comes_before_the_keras_cache(places):
    data_dir, cache = places
    (data_dir / "toy").mkdir()
    (data_dir / "toy" / "toy.bin").write_bytes(CONTENT)
    (cache / "toy.bin").write_bytes(CONTENT)
    assert datasets.locate([SPEC]) == [data_dir / "toy" / "toy.bin"]


def test_keras_cache_is_used_when_the_data_folder_lacks_the_file(places):
    _, cache = places
    (cache / "toy.bin").write_bytes(CONTENT)
    assert datasets.locate([SPEC]) == [cache / "toy.bin"]


def test_flat_data_folder_layout_is_accepted(places):
    data_dir, _ = places
    (data_dir / "toy.bin").write_bytes(CONTENT)
    assert datasets.locate([SPEC]) == [data_dir / "toy.bin"]


def test_offline_without_data_says_which_file_to_put_where(places, monkeypatch):
    data_dir, cache = places
    monkeypatch.setenv(datasets.OFFLINE_VAR, "1")
    called = []
    with pytest.raises(DatasetNotFoundError) as error:
        datasets.locate([SPEC], download=lambda: called.append(True))
    message = str(error.value)
    assert not called, "offline mode must never try to download"
    assert "toy.bin" in message and SPEC.digest in message
    assert str(data_dir / "toy" / "toy.bin") in message and str(cache / "toy.bin") in message
    assert "LABSUPPORT_OFFLINE=1" in message


def test_checksum_mismatch_is_refused(places):
    data_dir, cache = places
    (data_dir / "toy.bin").write_bytes(b"tampered")
    (cache / "toy.bin").write_bytes(CONTENT)  # a good copy later in the order must not mask it
    with pytest.raises(ChecksumError) as error:
        datasets.locate([SPEC])
    assert str(data_dir / "toy.bin") in str(error.value)
    assert SPEC.digest in str(error.value)


def test_download_fills_the_keras_cache(places):
    _, cache = places
    datasets.locate([SPEC], download=lambda: (cache / "toy.bin").write_bytes(CONTENT))
    assert (cache / "toy.bin").read_bytes() == CONTENT


def test_a_failing_download_becomes_a_clear_error(places):
    def no_network():
        raise OSError("name resolution failed")

    with pytest.raises(DatasetNotFoundError, match="download failed .*name resolution failed"):
        datasets.locate([SPEC], download=no_network)


def test_a_download_that_leaves_nothing_is_reported(places):
    with pytest.raises(DatasetNotFoundError, match="not where it was expected"):
        datasets.locate([SPEC], download=lambda: None)

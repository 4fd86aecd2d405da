"""Datasets for the course, found the same way on every machine.

A dataset file is looked for, in this order:

1. the local data folder named by ``LABSUPPORT_DATA_DIR``, as
   ``$LABSUPPORT_DATA_DIR/<dataset>/<filename>`` or ``$LABSUPPORT_DATA_DIR/<filename>``;
2. the Keras cache, ``$KERAS_HOME/datasets/<filename>`` (``~/.keras`` when
   ``KERAS_HOME`` is unset), where ``keras.datasets`` keeps what it downloads;
3. a download through ``keras.datasets``, unless ``LABSUPPORT_OFFLINE=1``.

Whatever is found is checked against a known SHA-256 before anything reads it;
a file that does not match is refused, never used. A file that cannot be found
offline raises :class:`DatasetNotFoundError`, whose message says which file to
put where.

The 8x8 digits ship inside scikit-learn, so :func:`load_digits` needs none of this.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR_VAR = "LABSUPPORT_DATA_DIR"
OFFLINE_VAR = "LABSUPPORT_OFFLINE"


class DatasetNotFoundError(FileNotFoundError):
    """A dataset file is in none of the places searched and may not be downloaded."""


class ChecksumError(ValueError):
    """A dataset file was found but its contents are not the expected ones."""


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset, as it is named and checksummed upstream.

    Attributes
    ----------
    dataset : str
        Short dataset name, also the sub-folder of the data folder (``"mnist"``).
    filename : str
        The file's name (``"mnist.npz"``).
    sha256 : str
        Hex SHA-256 of the file's bytes.
    """

    dataset: str
    filename: str
    sha256: str


def is_offline() -> bool:
    """True when ``LABSUPPORT_OFFLINE`` is set to 1, true or yes."""
    return os.environ.get(OFFLINE_VAR, "").strip().lower() in {"1", "true", "yes"}


def keras_cache_dir() -> Path:
    """The folder where ``keras.datasets`` stores downloads."""
    keras_home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(keras_home) / "datasets"


def candidate_paths(file: DataFile) -> list[Path]:
    """Every path searched for `file`, in the order they are searched.

    Examples
    --------
    >>> spec = DataFile("mnist", "mnist.npz", "0" * 64)
    >>> candidate_paths(spec)[-1].name
    'mnist.npz'
    """
    paths = []
    data_dir = os.environ.get(DATA_DIR_VAR)
    if data_dir:
        paths += [Path(data_dir) / file.dataset / file.filename, Path(data_dir) / file.filename]
    paths.append(keras_cache_dir() / file.filename)
    return paths


def sha256_of(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_checksum(path: str | os.PathLike, expected_sha256: str) -> Path:
    """Return `path` if its SHA-256 is `expected_sha256`, else raise.

    Raises
    ------
    ChecksumError
        Naming the file, the expected and the actual digest.
    """
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise ChecksumError(
            f"{path} has SHA-256 {actual}, expected {expected_sha256}: the file is "
            "corrupted, truncated or a different file; delete or replace it"
        )
    return Path(path)


def _not_found_message(files: Sequence[DataFile], reason: str) -> str:
    data_dir = os.environ.get(DATA_DIR_VAR)
    folder = data_dir if data_dir else f"${DATA_DIR_VAR} (unset)"
    lines = [f"{files[0].dataset}: {reason}. Put these files in place:"]
    for file in files:
        lines.append(
            f"  {file.filename} (SHA-256 {file.sha256}) at "
            f"{Path(folder) / file.dataset / file.filename} or {keras_cache_dir() / file.filename}"
        )
    return "\n".join(lines)


def find_local(file: DataFile) -> Path | None:
    """The first verified local copy of `file`, or None if there is none.

    Raises
    ------
    ChecksumError
        If a copy exists but its contents do not match: a damaged file is
        reported, never skipped in favour of another.
    """
    for path in candidate_paths(file):
        if path.is_file():
            return verify_checksum(path, file.sha256)
    return None


def locate(files: Sequence[DataFile], download: Callable[[], object] | None = None) -> list[Path]:
    """Find every file of a dataset locally, or download them once.

    Parameters
    ----------
    files : sequence of DataFile
        The files that together make up the dataset.
    download : callable, optional
        Fetches the dataset into the Keras cache (for example
        ``keras.datasets.mnist.load_data``). Never called when
        ``LABSUPPORT_OFFLINE=1``.

    Returns
    -------
    list of pathlib.Path
        Verified paths, in the order of `files`.

    Raises
    ------
    DatasetNotFoundError
        If a file is missing and may not (or could not) be downloaded.
    ChecksumError
        If a file is present but does not match its checksum.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "tiny.bin").write_bytes(b"abc")
    >>> spec = DataFile("tiny", "tiny.bin", sha256_of(folder / "tiny.bin"))
    >>> os.environ[DATA_DIR_VAR] = str(folder)
    >>> locate([spec])[0].name
    'tiny.bin'
    >>> del os.environ[DATA_DIR_VAR]
    """
    found = [find_local(file) for file in files]
    missing = [file for file, path in zip(files, found) if path is None]
    if not missing:
        return found
    if is_offline():
        raise DatasetNotFoundError(
            _not_found_message(missing, f"not found, and {OFFLINE_VAR}=1 forbids downloading")
        )
    if download is None:
        raise DatasetNotFoundError(_not_found_message(missing, "not found, and it has no download"))
    try:
        download()
    except Exception as error:  # the network, a proxy or the server; say what to do instead
        raise DatasetNotFoundError(
            _not_found_message(missing, f"download failed ({type(error).__name__}: {error})")
        ) from error
    found = [find_local(file) for file in files]
    still_missing = [file for file, path in zip(files, found) if path is None]
    if still_missing:
        raise DatasetNotFoundError(
            _not_found_message(still_missing, "downloaded, but not where it was expected")
        )
    return found


def load_digits(scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits bundled with scikit-learn (not MNIST).

    1,797 greyscale images of 8x8 pixels with values 0..16, from the UCI
    "optical recognition of handwritten digits" set.

    Parameters
    ----------
    scale : bool, default True
        Divide the pixel values by 16 so that they lie in [0, 1].

    Returns
    -------
    images : ndarray of float32, shape (1797, 8, 8, 1)
        Channels-last, ready for ``keras.layers.Conv2D``.
    labels : ndarray of int64, shape (1797,)

    Examples
    --------
    >>> images, labels = load_digits()
    >>> images.shape, labels[:5].tolist()
    ((1797, 8, 8, 1), [0, 1, 2, 3, 4])
    """
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = bunch.images.astype(np.float32)[..., np.newaxis]
    if scale:
        images /= 16.0
    return images, bunch.target.astype(np.int64)


def load_sample_photo(name: str = "china.jpg", max_side: int | None = None) -> np.ndarray:
    """A real photograph bundled with scikit-learn, as a grey image in [0, 1].

    Parameters
    ----------
    name : {"china.jpg", "flower.jpg"}
        scikit-learn's two sample images (427 x 640 colour photographs).
    max_side : int, optional
        Shrink by an integer factor, averaging blocks of pixels, until the
        longest side is at most this many pixels.

    Returns
    -------
    ndarray of float64, shape (rows, cols)
        Luminance ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601), divided by 255.

    Examples
    --------
    >>> load_sample_photo(max_side=100).shape
    (61, 91)
    """
    from sklearn.datasets import load_sample_image

    if name not in ("china.jpg", "flower.jpg"):
        raise ValueError(f"name={name!r}: expected 'china.jpg' or 'flower.jpg'")
    rgb = load_sample_image(name).astype(np.float64) / 255.0
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    if max_side is None:
        return grey
    factor = -(-max(grey.shape) // max_side)  # ceil: the smallest factor that fits
    if factor > 1:
        rows, cols = (grey.shape[0] // factor) * factor, (grey.shape[1] // factor) * factor
        blocks = grey[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor)
        grey = blocks.mean(axis=(1, 3))
    return grey

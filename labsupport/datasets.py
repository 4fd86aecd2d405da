"""Datasets for the course, found the same way on every machine.

A dataset file is looked for, in this order:

1. the local data folder named by ``LABSUPPORT_DATA_DIR``, as
   ``$LABSUPPORT_DATA_DIR/<dataset>/<filename>`` or ``$LABSUPPORT_DATA_DIR/<filename>``;
2. the Keras cache, ``$KERAS_HOME/datasets/<filename>`` (``~/.keras`` when
   ``KERAS_HOME`` is unset), where ``keras.datasets`` keeps what it downloads;
3. a download through ``keras.datasets``, unless ``LABSUPPORT_OFFLINE=1``.

Whatever is found is checked against a known checksum before anything reads it;
a file that does not match is refused, never used. A file that cannot be found
offline raises :class:`DatasetNotFoundError`, whose message says which file to
put where.

When all three fail, :func:`stand_in_or_raise` decides, in one place for every
dataset: the ``ci`` and ``book`` profiles get a clearly labelled stand-in (a
:class:`StandIn` note travels with the data, and
:func:`labsupport.show.stand_in_banner` puts a warning on the page), so the
book builds on any machine; the ``full`` profile raises the error.

The 8x8 digits ship inside scikit-learn, so :func:`load_digits` needs none of this.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

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
    digest : str
        ``"sha256:<hex>"`` or ``"md5:<hex>"`` of the file's bytes: whichever the
        publisher states (the MNIST distribution publishes MD5 sums).
    """

    dataset: str
    filename: str
    digest: str


@dataclass(frozen=True)
class StandIn:
    """Why a dataset was replaced by a stand-in, and how to get the real one.

    Attributes
    ----------
    dataset : str
        The real dataset's name, as a reader knows it (``"MNIST"``).
    description : str
        What the stand-in is (``"scikit-learn's 8x8 digits enlarged to 28x28"``).
    missing : str
        The loader's own message: which files were looked for, and where.
    how_to_get : str
        What a reader does to get the real data (Markdown: a command, or which
        file goes where).
    """

    dataset: str
    description: str
    missing: str
    how_to_get: str


Data = TypeVar("Data")


def stand_in_or_raise(load: Callable[[], Data], stand_in: Callable[[str], Data],
                      allow_stand_in: bool | None = None) -> Data:
    """The real data from `load`, or, where it cannot be had, the labelled stand-in.

    The one rule every dataset of the course follows: only a missing dataset
    (:class:`DatasetNotFoundError`) falls back; a damaged file
    (:class:`ChecksumError`) is always an error.

    Parameters
    ----------
    load : callable
        Returns the real dataset or raises :class:`DatasetNotFoundError`.
    stand_in : callable
        Called with that error's message; returns the stand-in, carrying a
        :class:`StandIn` note that says what was missing.
    allow_stand_in : bool, optional
        Defaults to the current profile's ``allow_stand_in`` (``ci`` and
        ``book`` allow it, ``full`` does not).

    Raises
    ------
    DatasetNotFoundError
        When the data cannot be had and the stand-in is not allowed.

    Examples
    --------
    >>> def missing():
    ...     raise DatasetNotFoundError("toy: put toy.npz in ~/.keras/datasets")
    >>> stand_in_or_raise(missing, lambda message: "stand-in", allow_stand_in=True)
    'stand-in'
    >>> stand_in_or_raise(missing, lambda message: "stand-in", allow_stand_in=False)
    Traceback (most recent call last):
    ...
    labsupport.datasets.DatasetNotFoundError: toy: put toy.npz in ~/.keras/datasets
    """
    try:
        return load()
    except DatasetNotFoundError as error:
        if allow_stand_in is None:
            from .profiles import current_profile

            allow_stand_in = current_profile().allow_stand_in
        if not allow_stand_in:
            raise
        return stand_in(str(error))


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
    >>> spec = DataFile("mnist", "mnist.npz", "sha256:" + "0" * 64)
    >>> candidate_paths(spec)[-1].name
    'mnist.npz'
    """
    paths = []
    data_dir = os.environ.get(DATA_DIR_VAR)
    if data_dir:
        paths += [Path(data_dir) / file.dataset / file.filename, Path(data_dir) / file.filename]
    paths.append(keras_cache_dir() / file.filename)
    return paths


ALGORITHMS = ("sha256", "md5")


def digest_of(path: str | os.PathLike, algorithm: str = "sha256") -> str:
    """``"<algorithm>:<hex>"`` of a file's bytes, read in chunks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x"
    >>> _ = path.write_bytes(b"abc")
    >>> digest_of(path, "md5")
    'md5:900150983cd24fb0d6963f7d28e17f72'
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm={algorithm!r}: expected one of {ALGORITHMS}")
    digest = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return f"{algorithm}:{digest.hexdigest()}"


def verify_checksum(path: str | os.PathLike, expected: str) -> Path:
    """Return `path` if its digest is `expected` (``"sha256:…"`` or ``"md5:…"``), else raise.

    Raises
    ------
    ChecksumError
        Naming the file, the expected and the actual digest.
    """
    actual = digest_of(path, expected.partition(":")[0])
    if actual != expected:
        raise ChecksumError(
            f"{path} has {actual}, expected {expected}: the file is corrupted, "
            "truncated or a different file; delete or replace it"
        )
    return Path(path)


def _where(file: DataFile) -> str:
    data_dir = os.environ.get(DATA_DIR_VAR)
    folder = data_dir if data_dir else f"${DATA_DIR_VAR} (unset)"
    return (f"{file.filename} ({file.digest}) at {Path(folder) / file.dataset / file.filename} "
            f"or {keras_cache_dir() / file.filename}")


def _not_found_message(files: Sequence[DataFile], reason: str) -> str:
    lines = [f"{files[0].dataset}: {reason}. Put these files in place:"]
    lines += [f"  {_where(file)}" for file in files]
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
            return verify_checksum(path, file.digest)
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
    >>> spec = DataFile("tiny", "tiny.bin", digest_of(folder / "tiny.bin"))
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


# MNIST as Keras distributes it, and as the original IDX files (the MD5 sums the
# distribution publishes; the uncompressed test files' SHA-256 were computed from
# the MD5-verified archives).
MNIST_NPZ = DataFile("mnist", "mnist.npz", "sha256:731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
MNIST_IDX = {
    "train_images": (DataFile("mnist", "train-images-idx3-ubyte.gz", "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873"),),
    "train_labels": (DataFile("mnist", "train-labels-idx1-ubyte.gz", "md5:d53e105ee54ea40749a09fcbcd1e9432"),),
    "test_images": (
        DataFile("mnist", "t10k-images-idx3-ubyte.gz", "md5:9fb629c4189551a2d022fa330f9573f3"),
        DataFile("mnist", "t10k-images-idx3-ubyte",
                 "sha256:0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    ),
    "test_labels": (
        DataFile("mnist", "t10k-labels-idx1-ubyte.gz", "md5:ec29112dd5afa0611ce80d1b7f02629c"),
        DataFile("mnist", "t10k-labels-idx1-ubyte",
                 "sha256:ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    ),
}
IDX_TYPES = {0x08: np.uint8}
MNIST_SIZES = {"x_train": (60_000, 28, 28), "y_train": (60_000,), "x_test": (10_000, 28, 28), "y_test": (10_000,)}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (gzipped or not): the format the original MNIST files use.

    The header is two zero bytes, a type code (0x08 for unsigned bytes), the number
    of dimensions, then each dimension as a big-endian 32-bit integer; the values follow.

    Raises
    ------
    ValueError
        If the header is not IDX or the data does not match the declared size.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny-idx1-ubyte.gz"
    >>> _ = path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1])))
    >>> read_idx(path).tolist()
    [7, 2, 1]
    """
    import gzip

    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        data = stream.read()
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in IDX_TYPES:
        raise ValueError(f"{path} does not start with an IDX header (00 00 08 ndim): expected an IDX file")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * axis : 8 + 4 * axis], "big") for axis in range(ndim))
    offset = 4 + 4 * ndim
    values = np.frombuffer(data, dtype=IDX_TYPES[data[2]], offset=offset)
    if values.size != math.prod(shape):
        raise ValueError(f"{path} declares shape {shape} but holds {values.size} values: expected {math.prod(shape)}")
    return values.reshape(shape)


@dataclass(frozen=True)
class MNIST:
    """MNIST images (uint8, N x 28 x 28) and labels (int64), and where they came from.

    Attributes
    ----------
    source : str
        A sentence saying which files were read, for the chapter to print.
    official_split : bool
        True for the official 60,000 / 10,000 split; False when the training set
        was not available and the 10,000 test images were split instead.
    stand_in : StandIn or None
        None for real MNIST; for the labelled stand-in, the note saying what was
        missing and how to get the real data.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    official_split: bool
    stand_in: StandIn | None = None


def _official(arrays: dict, source: str) -> MNIST:
    """The official split, after checking it has MNIST's published shapes."""
    for name, shape in MNIST_SIZES.items():
        if arrays[name].shape != shape:
            raise ValueError(f"{source}: {name} has shape {arrays[name].shape}, expected {shape} for MNIST")
    return MNIST(arrays["x_train"], arrays["y_train"].astype(np.int64), arrays["x_test"],
                 arrays["y_test"].astype(np.int64), source=f"{source}, the official split", official_split=True)


def _first_local(alternatives):
    for file in alternatives:
        path = find_local(file)
        if path is not None:
            return path
    return None


def _split(images, labels, test_fraction, seed):
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_fraction, random_state=seed, stratify=labels
    )
    return x_train, y_train, x_test, y_test


MNIST_HOW_TO_GET = (
    "Rebuild with a network connection (the loader downloads `mnist.npz` through "
    "`keras.datasets` into `~/.keras/datasets/`), or put `mnist.npz`, or the four original "
    "IDX files (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, "
    "`t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`), in "
    "`$LABSUPPORT_DATA_DIR/mnist/` and rebuild."
)


def mnist_stand_in(missing: str, test_fraction: float = 0.2, seed: int = 0) -> MNIST:
    """Scikit-learn's 8x8 digits enlarged to 28x28: shaped like MNIST, labelled as not MNIST.

    Parameters
    ----------
    missing : str
        What the loader could not find, for the page's warning.
    test_fraction, seed : float, int
        The stratified split, as for real MNIST.

    Examples
    --------
    >>> fake = mnist_stand_in("mnist: not found")
    >>> fake.x_train.shape[1:], fake.stand_in.dataset
    ((28, 28), 'MNIST')
    """
    images, labels = load_digits(scale=False)
    big = np.kron(images[..., 0], np.ones((3, 3)))  # 24x24
    big = np.pad(big, ((0, 0), (2, 2), (2, 2))) * (255.0 / 16.0)
    x_train, y_train, x_test, y_test = _split(big.astype(np.uint8), labels, test_fraction, seed)
    description = "scikit-learn's 8x8 digits, enlarged to 28x28"
    note = StandIn("MNIST", description, missing, MNIST_HOW_TO_GET)
    return MNIST(x_train, y_train, x_test, y_test, official_split=False, stand_in=note,
                 source=f"STAND-IN, not MNIST: {description}")


def read_mnist(test_fraction: float = 0.2, seed: int = 0) -> MNIST:
    """Real MNIST, from the first place that has it, or an error.

    In order: Keras' ``mnist.npz`` (data folder, then Keras cache); the four
    original IDX files; a download through ``keras.datasets.mnist`` (unless
    ``LABSUPPORT_OFFLINE=1``); the official 10,000 test images alone, split
    ``1 - test_fraction`` / ``test_fraction`` (stratified, fixed `seed`) and
    reported as such.

    Raises
    ------
    DatasetNotFoundError
        Saying which files to put where.
    ChecksumError
        If a file is present but damaged.
    """
    npz = find_local(MNIST_NPZ)
    if npz is not None:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {name: data[name] for name in MNIST_SIZES}
        return _official(arrays, f"{npz} (Keras' mnist.npz)")
    parts = {name: _first_local(files) for name, files in MNIST_IDX.items()}
    if all(parts.values()):
        names = {"train_images": "x_train", "train_labels": "y_train", "test_images": "x_test", "test_labels": "y_test"}
        arrays = {names[part]: read_idx(path) for part, path in parts.items()}
        return _official(arrays, f"the IDX files in {parts['train_images'].parent}")
    download_error = "LABSUPPORT_OFFLINE=1 forbids downloading"
    if not is_offline():
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # Keras prints its progress bar to stdout
                import_keras_datasets().mnist.load_data()
            return read_mnist(test_fraction, seed)
        except DatasetNotFoundError:
            raise
        except Exception as error:  # no network, a proxy, a server: fall back, and say why if nothing is left
            download_error = f"the download failed ({type(error).__name__}: {error})"
    if parts["test_images"] and parts["test_labels"]:
        images, labels = read_idx(parts["test_images"]), read_idx(parts["test_labels"]).astype(np.int64)
        x_train, y_train, x_test, y_test = _split(images, labels, test_fraction, seed)
        return MNIST(x_train, y_train, x_test, y_test, official_split=False,
                     source=(f"only the official 10,000-image test set ({parts['test_images'].parent}); "
                             f"split {len(x_train):,} for training / {len(x_test):,} for testing"))
    files = [MNIST_NPZ] + [alternatives[0] for alternatives in MNIST_IDX.values()]
    raise DatasetNotFoundError(
        f"mnist: not found, and {download_error}. Put either the first file or the other four in place:\n"
        + "\n".join(f"  {_where(file)}" for file in files)
    )


def load_mnist(test_fraction: float = 0.2, seed: int = 0, allow_stand_in: bool | None = None) -> MNIST:
    """MNIST as :func:`read_mnist` finds it, or, where it cannot be had, the labelled stand-in.

    Parameters
    ----------
    test_fraction, seed : float, int
        The split used when only the official test set is present.
    allow_stand_in : bool, optional
        Defaults to the current profile's (``ci`` and ``book``: yes; ``full``: no).

    Raises
    ------
    DatasetNotFoundError
        When MNIST cannot be had and the stand-in is not allowed.
    ChecksumError
        If a file is present but damaged (never replaced by the stand-in).

    Examples
    --------
    >>> mnist = load_mnist(allow_stand_in=True)
    >>> mnist.x_train.shape[1:], mnist.x_train.dtype
    ((28, 28), dtype('uint8'))
    """
    return stand_in_or_raise(
        lambda: read_mnist(test_fraction, seed),
        lambda missing: mnist_stand_in(missing, test_fraction, seed),
        allow_stand_in,
    )


def import_keras_datasets():
    """``keras.datasets``, imported with TensorFlow's start-up noise silenced."""
    from .reproducibility import import_tensorflow

    import_tensorflow()
    import keras

    return keras.datasets

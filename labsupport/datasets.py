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


# MNIST as Keras distributes it, and as the original IDX files, each gzipped (the MD5
# sums the distribution publishes) or uncompressed (the SHA-256 sums published for
# the uncompressed files, which are those of the MD5-verified archives' contents).
MNIST_NPZ = DataFile("mnist", "mnist.npz", "sha256:731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
MNIST_IDX = {
    "train_images": (
        DataFile("mnist", "train-images-idx3-ubyte.gz", "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        DataFile("mnist", "train-images-idx3-ubyte",
                 "sha256:ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    ),
    "train_labels": (
        DataFile("mnist", "train-labels-idx1-ubyte.gz", "md5:d53e105ee54ea40749a09fcbcd1e9432"),
        DataFile("mnist", "train-labels-idx1-ubyte",
                 "sha256:65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    ),
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


def read_mnist() -> MNIST:
    """Real MNIST on its official 60,000 / 10,000 split, from the first place that has it.

    In order: Keras' ``mnist.npz`` (data folder, then Keras cache); the four
    original IDX files, each gzipped (checked by the MD5 its publisher lists) or
    uncompressed (checked by its published SHA-256); a download through
    ``keras.datasets.mnist`` (unless ``LABSUPPORT_OFFLINE=1``).

    Only the whole dataset is read. MNIST's official training and test sets were
    written by different people, so a split of the test set alone would put the
    same writers on both sides and report optimistic figures; with part of the
    files missing this raises, and :func:`load_mnist` falls back to the labelled
    stand-in instead.

    Raises
    ------
    DatasetNotFoundError
        Saying which files to put where, in either form.
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
        arrays = {MNIST_IDX_ARRAYS[part]: read_idx(path) for part, path in parts.items()}
        return _official(arrays, f"the IDX files in {parts['train_images'].parent}")
    download_error = f"{OFFLINE_VAR}=1 forbids downloading"
    if not is_offline():
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # Keras prints its progress bar to stdout
                import_keras_datasets().mnist.load_data()
            return read_mnist()
        except DatasetNotFoundError:
            raise
        except Exception as error:  # no network, a proxy, a server: say why nothing is left
            download_error = f"the download failed ({type(error).__name__}: {error})"
    raise DatasetNotFoundError(_mnist_not_found_message(parts, download_error))


MNIST_IDX_ARRAYS = {"train_images": "x_train", "train_labels": "y_train",
                    "test_images": "x_test", "test_labels": "y_test"}


def _mnist_not_found_message(parts: dict, reason: str) -> str:
    """Which files were found, and every form of the missing ones, with where they go."""
    lines = [f"mnist: not found, and {reason}. Put {MNIST_NPZ.filename} in place:",
             f"  {_where(MNIST_NPZ)}",
             "or the four IDX files, each gzipped or uncompressed:"]
    for part, alternatives in MNIST_IDX.items():
        if parts.get(part) is not None:
            lines.append(f"  {part}: found {parts[part]}")
        else:
            lines += [f"  {_where(file)}" for file in alternatives]
    return "\n".join(lines)


def load_mnist(test_fraction: float = 0.2, seed: int = 0, allow_stand_in: bool | None = None) -> MNIST:
    """MNIST as :func:`read_mnist` finds it, or, where it cannot be had, the labelled stand-in.

    Parameters
    ----------
    test_fraction, seed : float, int
        The stand-in's stratified split into training and test images (real MNIST
        always comes on its official split).
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
        read_mnist,
        lambda missing: mnist_stand_in(missing, test_fraction, seed),
        allow_stand_in,
    )


def import_keras_datasets():
    """``keras.datasets``, imported with TensorFlow's start-up noise silenced."""
    from .reproducibility import import_tensorflow

    import_tensorflow()
    import keras

    return keras.datasets


# CIFAR-10 ---------------------------------------------------------------------
#
# The batches are Python pickles, and unpickling can run arbitrary code. The trust
# rule: a batch is unpickled only after it has been read, in memory, out of an
# archive whose bytes matched the published SHA-256. Nothing is extracted to disk,
# and a folder of already-extracted batches is never read: no checksum of the
# individual batch files is published, and they cannot be derived here without
# the real data, so such a folder cannot be verified. Where its archive sits
# beside it (as Keras leaves it), the archive is read instead.

# The archive https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz, with the
# SHA-256 that keras.datasets.cifar10 checks its download against.
CIFAR10_SHA256 = (
    "sha256:6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
)
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_FOLDER = "cifar-10-batches-py"  # the archive's one top-level folder
CIFAR10_TRAIN_BATCHES = tuple(f"data_batch_{index}" for index in range(1, 6))
CIFAR10_TEST_BATCH = "test_batch"
CIFAR10_META = "batches.meta"
CIFAR10_SIDE, CIFAR10_CHANNELS = 32, 3
# The same bytes under each name they are found by: as published; as Keras 2 and
# tf.keras cache it; as Keras 3 caches it (get_file's "<fname>_archive").
CIFAR10_ARCHIVE_NAMES = (
    "cifar-10-python.tar.gz",
    "cifar-10-batches-py.tar.gz",
    "cifar-10-batches-py-target_archive",
)
# Where keras.datasets.cifar10 leaves the extracted batches (Keras 2, Keras 3).
CIFAR10_EXTRACTED = (CIFAR10_FOLDER, f"cifar-10-batches-py-target/{CIFAR10_FOLDER}")
CIFAR10_HOW_TO_GET = (
    "Rebuild with a network connection (the loader downloads `cifar-10-python.tar.gz`, "
    "163 MB, into `~/.keras/datasets/` and checks its SHA-256), or put that archive in "
    "`$LABSUPPORT_DATA_DIR/cifar10/` and rebuild."
)


def cifar10_archives() -> list[DataFile]:
    """The names under which the CIFAR-10 archive is looked for, all with one checksum.

    Examples
    --------
    >>> [file.filename for file in cifar10_archives()][:2]
    ['cifar-10-python.tar.gz', 'cifar-10-batches-py.tar.gz']
    """
    return [DataFile("cifar10", name, CIFAR10_SHA256) for name in CIFAR10_ARCHIVE_NAMES]


class _BatchUnpickler:
    """Unpickles a CIFAR-10 batch, allowing only what a batch is made of.

    A batch is a dict of byte strings, integers, lists and one NumPy array, so
    the only classes it names are NumPy's array and dtype and the function that
    rebuilds an array. Any other class or function is refused. This is a second
    wall: the first is the archive's checksum.
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    @classmethod
    def loads(cls, data: bytes, name: str):
        import pickle

        class Restricted(pickle.Unpickler):
            def find_class(self, module, attribute):
                if (module, attribute) not in cls.ALLOWED:
                    raise pickle.UnpicklingError(
                        f"{name} names {module}.{attribute}: a CIFAR-10 batch "
                        "holds only NumPy arrays, byte strings, integers and lists"
                    )
                if attribute == "_reconstruct":  # numpy.core: numpy._core's old name
                    try:
                        from numpy._core.multiarray import _reconstruct
                    except ImportError:  # NumPy 1
                        from numpy.core.multiarray import _reconstruct
                    return _reconstruct
                return getattr(np, attribute)

        # The batches were pickled by Python 2: its str is Python 3's bytes.
        return Restricted(io.BytesIO(data), encoding="bytes").load()


@dataclass(frozen=True)
class CIFAR10:
    """CIFAR-10 images (uint8, N x 32 x 32 x 3, channels last), labels and class names.

    Attributes
    ----------
    x_train, x_test : ndarray of uint8, shape (N, 32, 32, 3)
    y_train, y_test : ndarray of int64, shape (N,)
        Flat label vectors, values ``0 .. 9``.
    class_names : tuple of str
        The name of each label, from the data (``batches.meta``).
    source : str
        A sentence saying what was read, for the chapter to print.
    stand_in : StandIn or None
        None for real CIFAR-10; for the labelled stand-in, the note saying what
        was missing and how to get the real data.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    source: str
    stand_in: StandIn | None = None


def _cifar10_batch(members: dict, name: str, classes: int):
    """Images (N, 32, 32, 3) and labels (N,) of one batch, after checking its format."""
    batch = _BatchUnpickler.loads(members[name], name)
    if not isinstance(batch, dict) or not {b"data", b"labels"} <= set(batch):
        raise ValueError(
            f"{name} is not a CIFAR-10 batch: "
            "expected a dict with b'data' and b'labels'"
        )
    data, labels = batch[b"data"], np.asarray(batch[b"labels"], dtype=np.int64)
    pixels = CIFAR10_SIDE * CIFAR10_SIDE * CIFAR10_CHANNELS
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != pixels
    ):
        raise ValueError(
            f"{name}: b'data' must be a uint8 array of N x {pixels}, "
            f"got {getattr(data, 'dtype', type(data))} {getattr(data, 'shape', '')}"
        )
    if labels.shape != (len(data),) or (
        labels.size and not 0 <= labels.min() <= labels.max() < classes
    ):
        raise ValueError(
            f"{name}: expected {len(data)} labels in 0..{classes - 1}, "
            f"got shape {labels.shape}"
        )
    # each row is the red plane, then green, then blue, each 32 x 32 row-major
    images = data.reshape(-1, CIFAR10_CHANNELS, CIFAR10_SIDE, CIFAR10_SIDE).transpose(
        0, 2, 3, 1
    )
    return np.ascontiguousarray(images), labels


def read_cifar10_archive(
    path: str | os.PathLike, expected: str = CIFAR10_SHA256
) -> CIFAR10:
    """Verify a ``cifar-10-python.tar.gz`` and read its batches, without extracting it.

    The file is read into memory once; its SHA-256 is checked on those bytes, and
    the same bytes are then opened as a tar archive, so what is verified is what
    is read. The seven members are read into memory by name and only then
    unpickled (with an unpickler that accepts only what a batch is made of).

    Parameters
    ----------
    path : path-like
        The archive.
    expected : str
        ``"sha256:<hex>"`` of the archive; the published one by default.

    Returns
    -------
    CIFAR10
        The five training batches in order, then the test batch.

    Raises
    ------
    ChecksumError
        If the bytes do not match `expected`: nothing has been unpacked.
    ValueError
        If a verified archive does not hold the CIFAR-10 layout.

    Examples
    --------
    >>> read_cifar10_archive("no-such.tar.gz")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no-such.tar.gz: no such file (expected cifar-10-python.tar.gz)
    """
    import tarfile

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no such file (expected {CIFAR10_ARCHIVE_NAMES[0]})"
        )
    content = path.read_bytes()
    algorithm = expected.partition(":")[0]
    if algorithm not in ALGORITHMS:
        raise ValueError(
            f"expected={expected!r}: expected '<algorithm>:<hex>' "
            f"with one of {ALGORITHMS}"
        )
    actual = f"{algorithm}:{hashlib.new(algorithm, content).hexdigest()}"
    if actual != expected:
        raise ChecksumError(
            f"{path} has {actual}, expected {expected}: not the published "
            "CIFAR-10 archive (corrupted, truncated or a different file). "
            "Nothing in it was unpacked; delete or replace it"
        )
    wanted = [*CIFAR10_TRAIN_BATCHES, CIFAR10_TEST_BATCH, CIFAR10_META]
    members = {}
    with tarfile.open(fileobj=io.BytesIO(content), mode="r:gz") as archive:
        for name in wanted:
            try:
                member = archive.getmember(f"{CIFAR10_FOLDER}/{name}")
            except KeyError:
                raise ValueError(
                    f"{path} has no {CIFAR10_FOLDER}/{name}: "
                    "expected the CIFAR-10 layout"
                ) from None
            if not member.isfile():
                raise ValueError(f"{path}: {member.name} is not a regular file")
            members[name] = archive.extractfile(member).read()
    meta = _BatchUnpickler.loads(members[CIFAR10_META], CIFAR10_META)
    if not isinstance(meta, dict) or b"label_names" not in meta:
        raise ValueError(
            f"{CIFAR10_META} has no b'label_names': expected the CIFAR-10 metadata"
        )
    class_names = tuple(
        name.decode() if isinstance(name, bytes) else str(name)
        for name in meta[b"label_names"]
    )
    train = [
        _cifar10_batch(members, name, len(class_names))
        for name in CIFAR10_TRAIN_BATCHES
    ]
    x_test, y_test = _cifar10_batch(members, CIFAR10_TEST_BATCH, len(class_names))
    return CIFAR10(
        np.concatenate([images for images, _ in train]),
        np.concatenate([labels for _, labels in train]),
        x_test,
        y_test,
        class_names,
        source=f"{path} (CIFAR-10, {actual[:19]}…, verified)",
    )


def _unverifiable_folders() -> list[Path]:
    """Extracted CIFAR-10 folders in the Keras cache or data folder (never read)."""
    places = [keras_cache_dir()]
    data_dir = os.environ.get(DATA_DIR_VAR)
    if data_dir:
        places += [Path(data_dir) / "cifar10", Path(data_dir)]
    return [
        place / folder
        for place in places
        for folder in CIFAR10_EXTRACTED
        if (place / folder).is_dir()
    ]


def download_cifar10() -> Path:
    """Download the archive into the Keras cache, unextracted (keras.utils.get_file).

    The same file and SHA-256 that ``keras.datasets.cifar10`` uses, but not
    extracted: :func:`read_cifar10_archive` reads it in memory.
    """
    from .reproducibility import import_tensorflow

    import_tensorflow()
    import keras

    with contextlib.redirect_stdout(
        io.StringIO()
    ):  # Keras prints its progress bar to stdout
        path = keras.utils.get_file(
            CIFAR10_ARCHIVE_NAMES[0],
            CIFAR10_URL,
            file_hash=CIFAR10_SHA256.partition(":")[2],
            hash_algorithm="sha256",
        )
    return Path(path)


def read_cifar10() -> CIFAR10:
    """Real CIFAR-10 from a verified archive, or an error saying what to do.

    Looks for the archive, under each name in :data:`CIFAR10_ARCHIVE_NAMES`, in
    the data folder and the Keras cache, then downloads it (unless
    ``LABSUPPORT_OFFLINE=1``). The first archive found is verified and read
    (:func:`read_cifar10_archive`).

    An extracted ``cifar-10-batches-py/`` folder, as ``keras.datasets.cifar10``
    leaves it, is never read: its pickles could run code, and no published
    checksum covers them one by one. If its archive is beside it, that archive
    is what is read; if not, the error says so.

    Raises
    ------
    DatasetNotFoundError
        If no archive is found and it may not (or could not) be downloaded.
    ChecksumError
        If an archive is found but is not the published one.
    """
    for file in cifar10_archives():
        for path in candidate_paths(file):
            if path.is_file():
                return read_cifar10_archive(path, file.digest)
    reason = f"{OFFLINE_VAR}=1 forbids downloading"
    if not is_offline():
        try:
            downloaded = download_cifar10()
        except Exception as error:  # no network, a proxy, a server: say why
            reason = f"the download failed ({type(error).__name__}: {error})"
        else:  # reading errors are the archive's, not the network's: never a stand-in
            return read_cifar10_archive(downloaded)
    lines = [
        f"cifar10: no archive found, and {reason}. Put the archive in place:",
        f"  {_where(cifar10_archives()[0])}",
    ]
    folders = _unverifiable_folders()
    if folders:
        lines.append(
            f"Extracted batches were found in {', '.join(map(str, folders))} but "
            "are not read: they are pickles, which can run code when loaded, and "
            "without the archive they came from they cannot be verified. Put the "
            "archive beside them (or delete them and download again)."
        )
    raise DatasetNotFoundError("\n".join(lines))


CIFAR10_STAND_IN_CLASSES = (
    "disc",
    "ring",
    "square",
    "cross",
    "triangle",
    "h-stripes",
    "v-stripes",
    "diagonals",
    "checks",
    "dots",
)


def _stand_in_shapes(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A mask in [0, 1] per image, (N, 32, 32): the shape or texture of its class."""
    count, side = len(labels), CIFAR10_SIDE
    rows, cols = np.mgrid[0:side, 0:side].astype(np.float32)
    centre = rng.uniform(11, 21, size=(count, 2, 1, 1)).astype(np.float32)
    radius = rng.uniform(6, 10, size=(count, 1, 1)).astype(np.float32)
    period = rng.uniform(4, 7, size=(count, 1, 1)).astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, size=(count, 1, 1)).astype(np.float32)
    dy, dx = rows - centre[:, 0], cols - centre[:, 1]
    distance = np.hypot(dy, dx)
    inside = np.maximum(np.abs(dy), np.abs(dx)) <= radius
    wave = lambda coordinate: np.sin(2 * np.pi * coordinate / period + phase) > 0
    masks = np.stack(
        [
            distance <= radius,  # disc
            (distance <= radius) & (distance >= 0.55 * radius),  # ring
            inside,  # square
            (np.minimum(np.abs(dy), np.abs(dx)) <= 0.3 * radius) & inside,  # cross
            (dy <= radius)
            & (np.abs(dx) <= (dy + radius) / 2)
            & (dy >= -radius),  # triangle
            np.broadcast_to(wave(rows), distance.shape),  # h-stripes
            np.broadcast_to(wave(cols), distance.shape),  # v-stripes
            wave((rows + cols) / np.sqrt(2)),  # diagonals
            wave(rows) ^ wave(cols),  # checks
            (
                np.hypot(
                    (dy + 64) % period - period / 2, (dx + 64) % period - period / 2
                )
                <= period / 4
            ),  # dots
        ],
        axis=1,
    )
    return masks[np.arange(count), labels].astype(np.float32)


def cifar10_stand_in(
    missing: str, train_size: int = 5_000, test_size: int = 1_000, seed: int = 0
) -> CIFAR10:
    """Ten classes of synthetic 32x32 colour images: shaped like CIFAR-10, labelled not.

    Each image is one shape or texture (its class: disc, ring, square, ...) in a
    random colour on a random background, at a random place and size, with
    noise. A network has to learn shape, not colour, but the task is far easier
    than CIFAR-10's photographs: accuracies on it say nothing about CIFAR-10.
    The class names end in ``(stand-in)``.

    Parameters
    ----------
    missing : str
        What the loader could not find, for the page's warning.
    train_size, test_size : int
        Images per split, balanced over the classes (rounded up to a multiple of 10).
    seed : int
        The images depend on it alone.

    Examples
    --------
    >>> fake = cifar10_stand_in("cifar10: not found", 20, 10)
    >>> fake.x_train.shape, fake.x_train.dtype, fake.class_names[0]
    ((20, 32, 32, 3), dtype('uint8'), 'disc (stand-in)')
    """
    from .validation import check_int

    train_size = check_int("train_size", train_size, minimum=1)
    test_size = check_int("test_size", test_size, minimum=1)
    rng = np.random.default_rng(seed)
    classes = len(CIFAR10_STAND_IN_CLASSES)

    def draw(size):
        labels = rng.permutation(np.arange(-(-size // classes) * classes) % classes)
        masks = _stand_in_shapes(labels, rng)[..., np.newaxis]
        background = rng.uniform(0, 255, size=(len(labels), 1, 1, 3))
        # the foreground differs from the background by at least 80 in some channel
        shift = rng.uniform(80, 175, size=(len(labels), 1, 1, 3)) * rng.choice(
            [-1, 1], size=(len(labels), 1, 1, 3)
        )
        foreground = np.clip(background + shift, 0, 255)
        noise = rng.normal(0, 20, size=(len(labels), CIFAR10_SIDE, CIFAR10_SIDE, 3))
        images = background + masks * (foreground - background) + noise
        return np.clip(np.rint(images), 0, 255).astype(np.uint8), labels.astype(
            np.int64
        )

    x_train, y_train = draw(train_size)
    x_test, y_test = draw(test_size)
    description = (
        "synthetic 32x32 colour images of ten shapes and textures "
        "(disc, ring, stripes, ...)"
    )
    note = StandIn("CIFAR-10", description, missing, CIFAR10_HOW_TO_GET)
    names = tuple(f"{name} (stand-in)" for name in CIFAR10_STAND_IN_CLASSES)
    return CIFAR10(
        x_train,
        y_train,
        x_test,
        y_test,
        names,
        stand_in=note,
        source=f"STAND-IN, not CIFAR-10: {description}",
    )


def load_cifar10(
    allow_stand_in: bool | None = None,
    stand_in_sizes: tuple[int, int] = (5_000, 1_000),
    seed: int = 0,
) -> CIFAR10:
    """CIFAR-10 as :func:`read_cifar10` finds it, or else the labelled stand-in.

    Parameters
    ----------
    allow_stand_in : bool, optional
        Defaults to the current profile's (``ci`` and ``book``: yes; ``full``: no).
    stand_in_sizes : (int, int)
        Training and test images of the stand-in; the real data is always whole.
    seed : int
        Seeds the stand-in.

    Raises
    ------
    DatasetNotFoundError
        When CIFAR-10 cannot be had and the stand-in is not allowed.
    ChecksumError
        If an archive is present but is not the published one (never replaced
        by the stand-in).

    Examples
    --------
    >>> data = load_cifar10(allow_stand_in=True, stand_in_sizes=(20, 10))
    >>> data.x_train.shape[1:], data.y_train.dtype, len(data.class_names)
    ((32, 32, 3), dtype('int64'), 10)
    """
    train_size, test_size = stand_in_sizes
    return stand_in_or_raise(
        read_cifar10,
        lambda missing: cifar10_stand_in(missing, train_size, test_size, seed),
        allow_stand_in,
    )

"""MNIST: Keras' ``mnist.npz`` or the four original IDX files, on the official split.

Without them, :func:`load_mnist` falls back to a labelled stand-in (scikit-learn's
8x8 digits enlarged to 28x28) where the profile allows it.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .digits import load_digits
from .files import (OFFLINE_VAR, DataFile, DatasetNotFoundError, _where, find_local,
                    import_keras_datasets, is_offline)
from .stand_in import StandIn, stand_in_or_raise


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

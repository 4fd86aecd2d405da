"""CIFAR-10, read only out of the archive whose bytes match the published SHA-256.

The batches are Python pickles, and unpickling can run arbitrary code. The trust
rule: a batch is unpickled only after it has been read, in memory, out of an
archive whose bytes matched the published SHA-256. Nothing is extracted to disk,
and a folder of already-extracted batches is never read: no checksum of the
individual batch files is published, and they cannot be derived here without the
real data, so such a folder cannot be verified. Where its archive sits beside it
(as Keras leaves it), the archive is read instead. As a second wall, the
unpickler accepts only NumPy arrays, byte strings, integers and lists.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import (ALGORITHMS, DATA_DIR_VAR, OFFLINE_VAR, ChecksumError, DataFile, DatasetNotFoundError,
                    _where, candidate_paths, is_offline, keras_cache_dir)
from .stand_in import StandIn, stand_in_or_raise


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
    from ..reproducibility import import_tensorflow

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
    # imported here: the stand-in module builds on this one's CIFAR10 class
    from .cifar10_stand_in import cifar10_stand_in

    train_size, test_size = stand_in_sizes
    return stand_in_or_raise(
        read_cifar10,
        lambda missing: cifar10_stand_in(missing, train_size, test_size, seed),
        allow_stand_in,
    )

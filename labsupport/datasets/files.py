"""Where a dataset's files are found, and how they are checked before anything reads them.

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
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


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


def import_keras_datasets():
    """``keras.datasets``, imported with TensorFlow's start-up noise silenced."""
    from ..reproducibility import import_tensorflow

    import_tensorflow()
    import keras

    return keras.datasets

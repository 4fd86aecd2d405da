"""The one rule for a dataset that cannot be had: a labelled stand-in, or the error.

The ``ci`` and ``book`` profiles get a clearly labelled stand-in (a :class:`StandIn`
note travels with the data, and :func:`labsupport.show.stand_in_banner` puts a
warning on the page), so the book builds on any machine; the ``full`` profile
raises the error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .files import DatasetNotFoundError


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
    labsupport.datasets.files.DatasetNotFoundError: toy: put toy.npz in ~/.keras/datasets
    """
    try:
        return load()
    except DatasetNotFoundError as error:
        if allow_stand_in is None:
            from ..profiles import current_profile

            allow_stand_in = current_profile().allow_stand_in
        if not allow_stand_in:
            raise
        return stand_in(str(error))

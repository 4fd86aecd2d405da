"""How sure an accuracy is, and whether two classifiers really differ.

An accuracy measured on n images is a proportion, with a standard error of
sqrt(p (1 - p) / n). Two classifiers measured on the *same* images are better
compared image by image (a paired comparison): only the images on which they
disagree carry information about which is better, and the noise shared by both
(hard images, easy images) cancels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .validation import check_int


def accuracy_standard_error(accuracy: float, n: int) -> float:
    """The standard error of an accuracy measured on `n` independent images.

    Examples
    --------
    >>> round(accuracy_standard_error(0.99, 10_000), 5)
    0.00099
    """
    n = check_int("n", n, minimum=1)
    if not 0 <= accuracy <= 1:
        raise ValueError(f"accuracy={accuracy!r}: expected a proportion in [0, 1]")
    return math.sqrt(accuracy * (1 - accuracy) / n)


@dataclass(frozen=True)
class PairedComparison:
    """Classifier A against classifier B on the same n images.

    Attributes
    ----------
    n : int
        Images compared.
    only_a_right, only_b_right : int
        Images that one classifier gets right and the other wrong (the
        discordant pairs); the images both get right or both get wrong cancel.
    difference : float
        Accuracy of A minus accuracy of B.
    standard_error : float
        Of `difference`, from the per-image differences (paired).
    p_value : float
        McNemar's exact two-sided test: the chance of a split of the discordant
        images at least this uneven if A and B were equally good.
    """

    n: int
    only_a_right: int
    only_b_right: int
    difference: float
    standard_error: float
    p_value: float


def _indices(name: str, wrong, n: int) -> set:
    values = np.asarray(list(wrong))
    if values.size and (not np.issubdtype(values.dtype, np.integer)
                        or values.min() < 0 or values.max() >= n):
        raise ValueError(f"{name} must hold image indices in [0, {n}); "
                         f"got values from {values.min()} to {values.max()}")
    unique = set(values.tolist())
    if len(unique) != values.size:
        raise ValueError(f"{name} lists an image more than once")
    return unique


def paired_comparison(wrong_a, wrong_b, n: int) -> PairedComparison:
    """Compare two classifiers from the indices of the images each gets wrong.

    Parameters
    ----------
    wrong_a, wrong_b : iterable of int
        Indices (in ``range(n)``) of the images classifier A, resp. B, misclassifies.
    n : int
        The number of images both were measured on.

    Returns
    -------
    PairedComparison

    Raises
    ------
    ValueError
        For an index outside ``range(n)`` or listed twice.

    Examples
    --------
    >>> result = paired_comparison([0, 1, 2], [2, 3, 4, 5, 6], n=1_000)
    >>> result.only_a_right, result.only_b_right, result.difference
    (4, 2, 0.002)
    >>> round(result.p_value, 3)
    0.688
    """
    from scipy.stats import binomtest

    n = check_int("n", n, minimum=2)
    a, b = _indices("wrong_a", wrong_a, n), _indices("wrong_b", wrong_b, n)
    only_a_right, only_b_right = len(b - a), len(a - b)
    difference = (only_a_right - only_b_right) / n
    # per-image difference d in {-1, 0, 1}: its sample variance, then that of the mean
    mean_square = (only_a_right + only_b_right) / n
    variance = max(mean_square - difference**2, 0.0) * n / (n - 1)
    discordant = only_a_right + only_b_right
    p_value = binomtest(only_a_right, discordant, 0.5).pvalue if discordant else 1.0
    return PairedComparison(n, only_a_right, only_b_right, difference,
                            math.sqrt(variance / n), float(p_value))

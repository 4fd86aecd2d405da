"""L2 penalty and dropout as Keras applies them, and the expectation behind dropout.

Dropout zeroes *units* (entries of a layer's input), each with probability
``rate``, while training. Keras' ``Dropout`` scales the kept units by
``1 / (1 - rate)`` ("inverted dropout"), so the expected output equals the input
and nothing changes at prediction time. The original form keeps units unscaled
while training and multiplies by ``1 - rate`` at prediction time; the two give
the same expected activations, and so the same expected input to the next layer.
For a whole (non-linear) network, prediction without masks only approximates the
average over all ``2**n`` masked sub-networks (Srivastava et al.'s weight-scaling
approximation). :func:`expectation_over_masks` computes such expectations
exactly, by enumerating every mask.

``rate`` is the probability of *dropping* a unit, as in Keras; Srivastava et al.
write ``p`` for the probability of *keeping* one.
"""

from __future__ import annotations

import itertools

import numpy as np

from .validation import check_array


def l2_penalty(weights, l2: float) -> float:
    """``l2 * sum(w**2)`` over every array in `weights`, as ``keras.regularizers.L2``.

    Parameters
    ----------
    weights : array_like or sequence of array_like
    l2 : float
        Non-negative.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For a negative `l2` or weights that are not arrays of numbers.

    Examples
    --------
    >>> round(l2_penalty([np.array([1.0, -2.0]), np.array([[3.0]])], 0.1), 6)
    1.4
    """
    if not l2 >= 0:
        raise ValueError(f"l2={l2!r}: expected a non-negative penalty weight")
    if isinstance(weights, np.ndarray):
        weights = [weights]
    total = sum(
        float(np.sum(np.square(check_array(f"weights[{i}]", w, ndim=np.ndim(w)))))
        for i, w in enumerate(weights)
    )
    return l2 * total


def _check_rate(rate):
    if not 0 <= rate < 1:
        raise ValueError(f"rate={rate!r}: expected a dropout rate in [0, 1)")
    return float(rate)


def dropout(x, rate: float, rng, inverted: bool = True) -> np.ndarray:
    """One training-time dropout of `x`: each entry zeroed with probability `rate`.

    Parameters
    ----------
    x : array_like
    rate : float
        In [0, 1).
    rng : numpy.random.Generator
    inverted : bool, default True
        Scale the kept entries by ``1 / (1 - rate)`` (Keras); if False, leave
        them as they are (the original form, which rescales at prediction time).

    Returns
    -------
    ndarray, shape of `x`

    Raises
    ------
    ValueError
        For a rate outside [0, 1), `x` not numbers, or `rng` not a Generator.

    Examples
    --------
    >>> y = dropout(np.ones(6), 0.5, np.random.default_rng(0))
    >>> sorted(set(y.tolist())) <= [0.0, 2.0]
    True
    """
    rate = _check_rate(rate)
    x = check_array("x", x, ndim=np.ndim(x))
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng={rng!r}: expected a numpy.random.Generator, "
            "such as np.random.default_rng(0)"
        )
    keep = rng.random(x.shape) >= rate
    return np.where(keep, x / (1 - rate) if inverted else x, 0.0)


def expectation_over_masks(
    function, x, rate: float, inverted: bool = True
) -> np.ndarray:
    """The exact mean of ``function(dropout(x))`` over all ``2**x.size`` masks.

    Each mask with ``k`` dropped units has probability ``rate**k (1 - rate)**(n - k)``.

    Parameters
    ----------
    function : callable
        Applied to the dropped-out vector, e.g. the next layer.
    x : array_like, shape (n,)
        At most 16 units (``2**n`` masks are enumerated).
    rate : float
    inverted : bool, default True

    Returns
    -------
    ndarray
        The expectation, shaped as `function`'s output.

    Raises
    ------
    ValueError
        For a rate outside [0, 1) or more than 16 units.

    Examples
    --------
    >>> expectation_over_masks(lambda v: v, np.array([2.0, 4.0]), 0.5).tolist()
    [2.0, 4.0]
    >>> expectation_over_masks(lambda v: v, np.array([2.0, 4.0]), 0.5,
    ...                        inverted=False).tolist()
    [1.0, 2.0]
    """
    rate = _check_rate(rate)
    x = check_array("x", x, ndim=1)
    if x.size > 16:
        raise ValueError(
            f"x has {x.size} units: expected at most 16 (2**n masks are enumerated)"
        )
    scale = 1 / (1 - rate) if inverted else 1.0
    total = 0.0
    for mask in itertools.product((0.0, 1.0), repeat=x.size):
        mask = np.array(mask)
        dropped = x.size - mask.sum()
        probability = rate**dropped * (1 - rate) ** mask.sum()
        total = total + probability * np.asarray(
            function(x * mask * scale), dtype=float
        )
    return total


__all__ = ["dropout", "expectation_over_masks", "l2_penalty"]

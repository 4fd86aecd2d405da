"""Classification losses computed from logits, and the naive form that overflows.

A network's last layer gives *logits* ``z``, one real number per class.
Softmax turns them into probabilities; cross-entropy, ``-log p[label]``, is the
loss. Softmax is not a loss: it has no labels to compare with. Computing
``log(softmax(z))`` literally overflows for large logits; the identity
``log softmax(z) = z - logsumexp(z)``, with the maximum subtracted first, does not.
"""

from __future__ import annotations

import numpy as np

from .validation import check_array


def _logits(logits):
    ndim = np.ndim(logits)
    if ndim not in (1, 2):
        raise ValueError(
            f"logits has shape {np.shape(logits)}: "
            "expected (classes,) or (batch, classes)"
        )
    return np.atleast_2d(check_array("logits", logits, ndim=ndim))


def _labels(labels, batch, classes):
    labels = np.atleast_1d(np.asarray(labels))
    if labels.shape != (batch,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels has shape {labels.shape} and dtype {labels.dtype}: "
            f"expected {batch} integer class indices"
        )
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"labels={labels.tolist()}: expected class indices in [0, {classes})"
        )
    return labels


def softmax(logits) -> np.ndarray:
    """``exp(z) / sum(exp(z))`` along the last axis, computed without overflow.

    Parameters
    ----------
    logits : array_like, shape (classes,) or (batch, classes)

    Returns
    -------
    ndarray, shape (batch, classes)
        Each row non-negative and summing to 1.

    Raises
    ------
    ValueError
        For logits that are not a 1-D or 2-D array of numbers.

    Examples
    --------
    >>> softmax([1000.0, 1000.0]).tolist()
    [[0.5, 0.5]]
    """
    z = _logits(logits)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(logits) -> np.ndarray:
    """``z - logsumexp(z)`` along the last axis: the log-probabilities, stably.

    Parameters
    ----------
    logits : array_like, shape (classes,) or (batch, classes)

    Returns
    -------
    ndarray, shape (batch, classes)

    Raises
    ------
    ValueError
        For logits that are not a 1-D or 2-D array of numbers.

    Examples
    --------
    >>> log_softmax([0.0, 0.0]).round(4).tolist()
    [[-0.6931, -0.6931]]
    """
    z = _logits(logits)
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy_from_logits(logits, labels) -> float:
    """Mean of ``-log softmax(z)[label]``, as Keras computes it from logits.

    Keras: ``SparseCategoricalCrossentropy(from_logits=True)``.

    Parameters
    ----------
    logits : array_like, shape (classes,) or (batch, classes)
    labels : int or array_like of int, shape (batch,)

    Raises
    ------
    ValueError
        For logits that are not 1-D or 2-D, or labels that are not class indices.

    Examples
    --------
    >>> round(cross_entropy_from_logits([[2.0, 0.0, 0.0]], [0]), 4)
    0.2395
    """
    log_p = log_softmax(logits)
    labels = _labels(labels, *log_p.shape)
    return float(-log_p[np.arange(len(labels)), labels].mean())


def naive_cross_entropy(logits, labels) -> float:
    """``-log(exp(z[label]) / sum(exp(z)))`` as written: overflows for large logits.

    Kept to show why losses take logits. NumPy's overflow warnings are silenced;
    the result is ``nan`` or ``inf`` where the formula breaks down.

    Parameters
    ----------
    logits : array_like, shape (classes,) or (batch, classes)
    labels : int or array_like of int, shape (batch,)

    Returns
    -------
    float

    Examples
    --------
    >>> naive_cross_entropy([[1000.0, 0.0]], [0])
    nan
    """
    z = _logits(logits)
    labels = _labels(labels, *z.shape)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        return float(-np.log(p[np.arange(len(labels)), labels]).mean())


def binary_cross_entropy_from_logits(logits, targets) -> float:
    """Mean of ``-t log sigmoid(z) - (1 - t) log(1 - sigmoid(z))``, stably.

    Uses ``max(z, 0) - z t + log(1 + exp(-|z|))``, as Keras'
    ``BinaryCrossentropy(from_logits=True)`` does.

    Parameters
    ----------
    logits : array_like, shape (n,)
        One logit per example.
    targets : array_like, shape (n,)
        Values in [0, 1] (usually 0 or 1).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the shapes differ or a target lies outside [0, 1].

    Examples
    --------
    >>> round(binary_cross_entropy_from_logits([0.0], [1.0]), 4)
    0.6931
    """
    z = check_array("logits", np.atleast_1d(logits), ndim=1)
    t = check_array("targets", np.atleast_1d(targets), ndim=1)
    if z.shape != t.shape:
        raise ValueError(
            f"targets has shape {t.shape}: expected {z.shape}, one per logit"
        )
    if t.min() < 0 or t.max() > 1:
        raise ValueError("targets: expected values in [0, 1]")
    return float(np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))))


__all__ = [
    "binary_cross_entropy_from_logits",
    "cross_entropy_from_logits",
    "log_softmax",
    "naive_cross_entropy",
    "softmax",
]

"""Batch normalisation as ``keras.layers.BatchNormalization`` computes it (NHWC).

    x_hat = (x - mean) / sqrt(variance + epsilon),   y = gamma * x_hat + beta

While training, ``mean`` and ``variance`` are the batch's own (the biased
variance, over every axis but the channels), and the layer updates its moving
averages ``moving = momentum * moving + (1 - momentum) * batch``; at prediction
time it uses the moving averages instead.
"""

from __future__ import annotations

import numpy as np

from .validation import check_array

EPSILON = 1e-3  # Keras' default
MOMENTUM = 0.99  # Keras' default


def _per_channel(name, value, channels):
    value = check_array(name, np.atleast_1d(value), ndim=1)
    if value.shape != (channels,):
        raise ValueError(
            f"{name} has shape {value.shape}: expected ({channels},), one per channel"
        )
    return value


def batch_norm(x, gamma, beta, mean, variance, epsilon: float = EPSILON) -> np.ndarray:
    """Normalise the last axis of `x` with the given statistics, then scale and shift.

    Parameters
    ----------
    x : array_like, shape (..., channels)
    gamma, beta, mean, variance : array_like, shape (channels,)
    epsilon : float, default 1e-3

    Raises
    ------
    ValueError
        If a per-channel argument has the wrong shape or `epsilon` is not positive.

    Examples
    --------
    >>> x = np.array([[1.0], [3.0]])
    >>> batch_norm(x, [1.0], [0.0], [2.0], [1.0], epsilon=0.0).tolist()
    [[-1.0], [1.0]]
    """
    x = check_array("x", x, ndim=max(np.ndim(x), 1))
    if not epsilon >= 0:
        raise ValueError(f"epsilon={epsilon!r}: expected a non-negative number")
    c = x.shape[-1]
    gamma, beta = _per_channel("gamma", gamma, c), _per_channel("beta", beta, c)
    mean, variance = _per_channel("mean", mean, c), _per_channel(
        "variance", variance, c
    )
    return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta


def batch_statistics(x) -> tuple[np.ndarray, np.ndarray]:
    """Mean and biased variance of `x` over every axis but the last.

    Parameters
    ----------
    x : array_like, shape (..., channels)

    Returns
    -------
    mean, variance : ndarray, shape (channels,)

    Examples
    --------
    >>> [s.tolist() for s in batch_statistics(np.array([[1.0], [3.0]]))]
    [[2.0], [1.0]]
    """
    x = check_array("x", x, ndim=max(np.ndim(x), 1))
    axes = tuple(range(x.ndim - 1))
    return x.mean(axis=axes), x.var(axis=axes)


def batch_norm_train(
    x,
    gamma,
    beta,
    moving_mean,
    moving_variance,
    momentum: float = MOMENTUM,
    epsilon: float = EPSILON,
):
    """A training step: normalise with the batch's statistics, update the moving ones.

    Returns
    -------
    y, new_moving_mean, new_moving_variance : ndarray

    Examples
    --------
    >>> y, m, v = batch_norm_train(np.array([[1.0], [3.0]]), [1.0], [0.0], [0.0], [1.0],
    ...                            momentum=0.5, epsilon=0.0)
    >>> y.tolist(), m.tolist(), v.tolist()
    ([[-1.0], [1.0]], [1.0], [1.0])
    """
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum={momentum!r}: expected a number in [0, 1]")
    x = check_array("x", x, ndim=np.ndim(x))
    mean, variance = batch_statistics(x)
    c = x.shape[-1]
    moving_mean = _per_channel("moving_mean", moving_mean, c)
    moving_variance = _per_channel("moving_variance", moving_variance, c)
    y = batch_norm(x, gamma, beta, mean, variance, epsilon)
    return (
        y,
        momentum * moving_mean + (1 - momentum) * mean,
        momentum * moving_variance + (1 - momentum) * variance,
    )


__all__ = ["batch_norm", "batch_norm_train", "batch_statistics"]

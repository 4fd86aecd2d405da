"""Minibatches: the gradient of a random batch estimates the full gradient.

With ``N`` examples whose per-example gradients are ``g_i`` and full gradient
``g = mean_i g_i``, a batch of ``B`` examples drawn without replacement has the mean
gradient ``g_B``, with ``E[g_B] = g`` (unbiased) and

    E ||g_B - g||^2 = (tr S / B) * (N - B) / (N - 1),

where ``tr S = mean_i ||g_i - g||^2`` is the per-example gradients' total variance:
the noise falls as ``1 / B``, and vanishes for the full batch ``B = N``. The model
used to measure it is softmax regression (a dense layer and softmax cross-entropy),
whose per-example gradient has the closed form ``x_i (p_i - onehot(y_i))^T``.
"""

from __future__ import annotations

import numpy as np

from .losses import softmax
from .validation import check_array, check_int


def epoch_batches(n: int, batch_size: int,
                  rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch: the indices ``0..n-1`` shuffled and cut into batches of
    `batch_size` (the last one smaller when `batch_size` does not divide `n`), as
    Keras' ``fit`` does.

    Examples
    --------
    >>> [b.tolist() for b in epoch_batches(5, 2, np.random.default_rng(0))]
    [[2, 4], [3, 0], [1]]
    """
    n, batch_size = check_int("n", n, 1), check_int("batch_size", batch_size, 1)
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]


def softmax_regression_gradients(weights, x, labels) -> np.ndarray:
    """Per-example gradients of softmax cross-entropy for logits ``x @ weights``.

    Parameters
    ----------
    weights : array_like, shape (features, classes)
    x : array_like, shape (examples, features)
    labels : array_like of int, shape (examples,)

    Returns
    -------
    ndarray, shape (examples, features, classes)
        ``x_i (softmax(x_i W) - onehot(y_i))^T`` for each example; their mean is the
        gradient of the mean loss.

    Raises
    ------
    ValueError
        For shapes that do not fit or labels outside ``range(classes)``.

    Examples
    --------
    >>> softmax_regression_gradients(np.zeros((1, 2)), [[1.0]], [0]).tolist()
    [[[-0.5, 0.5]]]
    """
    w = check_array("weights", weights, ndim=2)
    x = check_array("x", x, ndim=2)
    labels = np.asarray(labels)
    if x.shape[1] != w.shape[0] or labels.shape != (x.shape[0],):
        raise ValueError(
            f"weights {w.shape}, x {x.shape}, labels {labels.shape}: expected "
            "(features, classes), (examples, features), (examples,)"
        )
    if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= w.shape[1]:
        raise ValueError(f"labels: expected integers in [0, {w.shape[1] - 1}]")
    error = softmax(x @ w)
    error[np.arange(len(labels)), labels] -= 1.0
    return x[:, :, None] * error[:, None, :]


def predicted_noise(per_example, batch_size: int) -> float:
    """``E ||g_B - g||^2`` for batches of `batch_size` drawn without replacement.

    Parameters
    ----------
    per_example : array_like, shape (examples, ...)
        One gradient per example.
    batch_size : int
        From 1 to the number of examples.

    Examples
    --------
    >>> g = np.array([[0.0], [2.0]])  # tr S = 1
    >>> predicted_noise(g, 1), predicted_noise(g, 2)
    (1.0, 0.0)
    """
    g = check_array("per_example", per_example, ndim=None)
    n = g.shape[0]
    batch_size = check_int("batch_size", batch_size, 1)
    if batch_size > n:
        raise ValueError(f"batch_size={batch_size}: expected at most the {n} examples")
    flat = g.reshape(n, -1)
    total_variance = float(np.mean(np.sum((flat - flat.mean(axis=0)) ** 2, axis=1)))
    if n == 1:
        return 0.0
    return total_variance / batch_size * (n - batch_size) / (n - 1)


def measured_noise(per_example, batch_size: int, draws: int,
                   seed: int = 0) -> np.ndarray:
    """``||g_B - g||^2`` for `draws` random batches (each without replacement).

    Returns
    -------
    ndarray, shape (draws,)
        Their mean estimates :func:`predicted_noise`.

    Examples
    --------
    >>> g = np.array([[0.0], [2.0]])
    >>> measured_noise(g, 1, 4).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    g = check_array("per_example", per_example, ndim=None)
    n = g.shape[0]
    batch_size = check_int("batch_size", batch_size, 1)
    draws = check_int("draws", draws, 1)
    if batch_size > n:
        raise ValueError(f"batch_size={batch_size}: expected at most the {n} examples")
    flat = g.reshape(n, -1)
    full = flat.mean(axis=0)
    rng = np.random.default_rng(seed)
    squared = np.empty(draws)
    for draw in range(draws):  # one batch at a time: draws x batch x size may not fit
        batch = rng.choice(n, batch_size, replace=False)
        squared[draw] = np.sum((flat[batch].mean(axis=0) - full) ** 2)
    return squared


__all__ = ["epoch_batches", "measured_noise", "predicted_noise",
           "softmax_regression_gradients"]

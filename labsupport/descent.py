"""Learning a kernel by gradient descent, and why a step that is too large diverges.

The lecture notes learn the edge kernel ``[1, -1]`` back from an image ``X`` and
its edge map ``Y``: 10 steps of plain gradient descent on the *summed* squared
error, with step 0.05, diverge. The loss ``L(K) = sum (X * K - Y)**2`` is a
quadratic in the kernel ``K``, with the constant Hessian ``H = 2 P^T P``, where
``P`` holds the image's patches as rows (:func:`toeplitz.im2col`). Gradient
descent multiplies the error's component along each eigenvector of ``H`` by
``1 - lr * eigenvalue`` per step, so it converges only when
``lr < 2 / largest eigenvalue``.
"""

from __future__ import annotations

import numpy as np

from .backprop import conv2d_weight_grad
from .conv import conv2d
from .toeplitz import im2col
from .validation import check_array, check_int


def dark_bar(rows: int = 6, cols: int = 9, start: int = 2, stop: int = 6) -> np.ndarray:
    """A white image (ones) with a dark vertical bar (zeros) in columns ``start:stop``.

    Parameters
    ----------
    rows, cols : int
        Image size, at least 1.
    start, stop : int
        The bar's columns, ``0 <= start < stop <= cols``.

    Returns
    -------
    ndarray, shape (rows, cols)

    Raises
    ------
    ValueError
        For sizes below 1 or a bar outside the image.

    Examples
    --------
    >>> dark_bar()[0].tolist()
    [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    """
    rows, cols = check_int("rows", rows, 1), check_int("cols", cols, 1)
    if not 0 <= start < stop <= cols:
        raise ValueError(
            f"start={start!r}, stop={stop!r}: expected 0 <= start < stop <= cols={cols}"
        )
    x = np.ones((rows, cols))
    x[:, start:stop] = 0.0
    return x


def _as_nhwc(name, image):
    return check_array(name, image, ndim=2)[None, :, :, None]


def _check_target(x, y, k):
    """Raise unless `y` has the shape of the valid correlation of `x` with `k`."""
    expected = conv2d(x, k).shape
    if y.shape != expected:
        raise ValueError(
            f"y has shape {y.shape[1:3]}: expected {expected[1:3]}, the valid "
            f"correlation of a {x.shape[1:3]} image with a {k.shape[:2]} kernel"
        )


def squared_error(x, y, k) -> float:
    """``sum((correlate(x, k) - y)**2)``, the notes' summed loss, without bias.

    Parameters
    ----------
    x, y : array_like, 2-D
        Image and target; `y` has the valid correlation's shape.
    k : array_like, 2-D
        Kernel.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For arrays that are not 2-D or a `y` of the wrong shape.

    Examples
    --------
    >>> squared_error(dark_bar(), np.zeros((6, 8)), [[1.0, -1.0]])
    12.0
    """
    x, y = _as_nhwc("x", x), _as_nhwc("y", y)
    k = check_array("k", k, ndim=2)[:, :, None, None]
    _check_target(x, y, k)
    return float(np.sum((conv2d(x, k) - y) ** 2))


def kernel_descent(x, y, k0, learning_rate: float, steps: int):
    """Plain gradient descent on :func:`squared_error`, starting from the kernel `k0`.

    The gradient is chapter 3's weight gradient
    (:func:`backprop.conv2d_weight_grad`) of ``dL/dY_hat = 2 (Y_hat - Y)``.

    Parameters
    ----------
    x, y : array_like, 2-D
        Input image and target output (the valid correlation's shape).
    k0 : array_like, 2-D
        Starting kernel.
    learning_rate : float
        Positive.
    steps : int
        At least 1.

    Returns
    -------
    kernels : ndarray, shape (steps + 1, kh, kw)
        ``kernels[t]`` is the kernel after ``t`` steps.
    losses : ndarray, shape (steps,)
        ``losses[t]`` is the loss of ``kernels[t]``: the value that step ``t + 1``
        computes before it updates (what the notes print).

    Raises
    ------
    ValueError
        For a non-positive rate, ``steps < 1`` or shapes that do not fit.

    Examples
    --------
    >>> x = dark_bar(); y = np.diff(-x, axis=1)  # y = correlate(x, [1, -1])
    >>> kernels, losses = kernel_descent(x, y, [[0.0, 0.0]], 0.02, 40)
    >>> kernels[-1].round(3).tolist(), bool(losses[-1] < 1e-6)
    ([[1.0, -1.0]], True)
    """
    if not learning_rate > 0:
        raise ValueError(
            f"learning_rate={learning_rate!r}: expected a positive step size"
        )
    steps = check_int("steps", steps, 1)
    x, y = _as_nhwc("x", x), _as_nhwc("y", y)
    k = check_array("k0", k0, ndim=2)[:, :, None, None].copy()
    _check_target(x, y, k)
    kernels, losses = [k[:, :, 0, 0].copy()], []
    for _ in range(steps):
        residual = conv2d(x, k) - y
        losses.append(float(np.sum(residual**2)))
        k = k - learning_rate * conv2d_weight_grad(x, 2 * residual, k.shape)
        kernels.append(k[:, :, 0, 0].copy())
    return np.array(kernels), np.array(losses)


def squared_error_hessian(x, kernel_shape) -> np.ndarray:
    """The Hessian ``2 P^T P`` of :func:`squared_error` in the flattened kernel.

    Parameters
    ----------
    x : array_like, 2-D
        The image.
    kernel_shape : (int, int)

    Returns
    -------
    ndarray, shape (kh * kw, kh * kw)
        Constant: the loss is quadratic in the kernel.

    Examples
    --------
    >>> squared_error_hessian(dark_bar(), (1, 2)).tolist()
    [[48.0, 36.0], [36.0, 48.0]]
    """
    patches = im2col(check_array("x", x, ndim=2), kernel_shape)
    return 2 * patches.T @ patches


def largest_stable_rate(hessian) -> float:
    """``2 / largest eigenvalue``: gradient descent on the quadratic converges below it.

    Parameters
    ----------
    hessian : array_like, shape (n, n)
        Symmetric.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If `hessian` is not a symmetric square matrix.

    Examples
    --------
    >>> round(largest_stable_rate(squared_error_hessian(dark_bar(), (1, 2))), 4)
    0.0238
    """
    hessian = check_array("hessian", hessian, ndim=2)
    if hessian.shape[0] != hessian.shape[1] or not np.allclose(hessian, hessian.T):
        raise ValueError(
            f"hessian has shape {hessian.shape}: expected a symmetric square matrix"
        )
    return float(2 / np.linalg.eigvalsh(hessian).max())


__all__ = [
    "dark_bar",
    "kernel_descent",
    "largest_stable_rate",
    "squared_error",
    "squared_error_hessian",
]

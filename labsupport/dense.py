"""A dense layer on images, and the constraints that turn it into a convolution.

A dense layer from an ``h x w`` image ``X`` to an ``h x w`` hidden image ``H``
has a fourth-order weight tensor ``W``: ``H[i, j] = U[i, j] + sum_kl W[i, j, k, l] X[k, l]``.
Re-indexing by offsets, ``V[i, j, a, b] = W[i, j, i + a, j + b]``, and demanding
translation invariance (``V`` independent of ``i, j``) and locality
(``|a|, |b| <= k``) leaves a ``(2k + 1) x (2k + 1)`` kernel: a cross-correlation.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import ITEM, check_array, check_index, check_loops, check_memory, check_shape


def dense_layer_2d(W, X, U=0.0) -> np.ndarray:
    """``H[i, j] = U[i, j] + sum_kl W[i, j, k, l] X[k, l]``: every output sees every pixel.

    Parameters
    ----------
    W : array_like, shape (h, w, h_in, w_in)
    X : array_like, shape (h_in, w_in)
    U : float or array_like, shape (h, w)

    Examples
    --------
    >>> W = np.zeros((2, 2, 2, 2)); W[0, 0, 1, 1] = 3.0
    >>> float(dense_layer_2d(W, np.ones((2, 2)))[0, 0])
    3.0
    """
    W = check_array("W", W, ndim=4)
    X = check_array("X", X, ndim=2)
    if W.shape[2:] != X.shape:
        raise ValueError(f"W has shape {W.shape} and X {X.shape}: expected W's last two axes to equal X's shape")
    U = check_array("U", U, ndim=(0, 2))
    if U.ndim == 2 and U.shape != W.shape[:2]:
        raise ValueError(f"U has shape {U.shape}: expected a number or {W.shape[:2]}, one bias per output")
    return np.einsum("ijkl,kl->ij", W, X) + U


def offset_view(W) -> np.ndarray:
    """Re-index ``W[i, j, k, l]`` by offsets: ``V[i, j, a, b] = W[i, j, i + a, j + b]``.

    Offsets run from ``-(h - 1)`` to ``h - 1`` (and likewise for columns) and are
    stored shifted, ``V[i, j, a + h - 1, b + w - 1]``. Where ``i + a`` falls outside
    the image there is no such weight, and ``V`` holds NaN.

    Parameters
    ----------
    W : array_like, shape (h, w, h, w)

    Returns
    -------
    ndarray, shape (h, w, 2h - 1, 2w - 1)

    Examples
    --------
    >>> V = offset_view(np.arange(16.0).reshape(2, 2, 2, 2))
    >>> V.shape, float(V[0, 0, 1, 1])  # offset (0, 0) of output (0, 0) is W[0, 0, 0, 0]
    ((2, 2, 3, 3), 0.0)
    """
    W = check_array("W", W, ndim=4)
    h, w = W.shape[:2]
    if W.shape[2:] != (h, w):
        raise ValueError(f"W has shape {W.shape}: expected (h, w, h, w), a layer from an image to one of its size")
    check_memory(ITEM * h * w * (2 * h - 1) * (2 * w - 1), "offset_view", W=W)
    check_loops(h * w, "offset_view", W=W)
    V = np.full((h, w, 2 * h - 1, 2 * w - 1), np.nan)
    for i in range(h):
        for j in range(w):
            V[i, j, h - 1 - i : 2 * h - 1 - i, w - 1 - j : 2 * w - 1 - j] = W[i, j]
    return V


def tied_dense_weights(kernel, image_shape) -> np.ndarray:
    """The dense weight tensor whose offsets all share one centred ``(2k+1) x (2k+1)`` kernel.

    ``W[i, j, i + a, j + b] = kernel[a + k, b + k]`` for ``|a|, |b| <= k`` and zero
    otherwise: translation invariance and locality imposed on a dense layer.

    Parameters
    ----------
    kernel : array_like, shape (2k + 1, 2k + 1)
        Odd-sized, so that offset 0 sits in the middle.
    image_shape : (int, int)

    Returns
    -------
    ndarray, shape image_shape + image_shape

    Examples
    --------
    >>> W = tied_dense_weights(np.ones((3, 3)), (4, 4))
    >>> int((W[1, 1] != 0).sum()), int((W[0, 0] != 0).sum())  # an interior pixel sees 9, a corner 4
    (9, 4)
    """
    kernel = check_array("kernel", kernel, ndim=2)
    rows, cols = kernel.shape
    if rows % 2 == 0 or cols % 2 == 0:
        raise ValueError(f"kernel has shape {kernel.shape}: expected odd sizes (2k + 1), centred on offset 0")
    h, w = check_shape("image_shape", image_shape, 2)
    check_memory(ITEM * h * w * h * w, "tied_dense_weights", kernel=kernel, image_shape=image_shape)
    check_loops(h * w * rows * cols, "tied_dense_weights", kernel=kernel, image_shape=image_shape)
    kr, kc = rows // 2, cols // 2
    W = np.zeros((h, w, h, w))
    for i in range(h):
        for j in range(w):
            for a in range(-kr, kr + 1):
                for b in range(-kc, kc + 1):
                    if 0 <= i + a < h and 0 <= j + b < w:
                        W[i, j, i + a, j + b] = kernel[a + kr, b + kc]
    return W


def compose(W2, W1) -> np.ndarray:
    """The weight tensor of applying the linear layer `W1` and then `W2`.

    Examples
    --------
    >>> W = tied_dense_weights(np.ones((3, 3)), (7, 7))
    >>> int((compose(W, W)[3, 3] != 0).sum())  # two 3x3 layers see a 5x5 patch
    25
    """
    W1 = check_array("W1", W1, ndim=4)
    W2 = check_array("W2", W2, ndim=4)
    if W2.shape[2:] != W1.shape[:2]:
        raise ValueError(f"W2 has shape {W2.shape} and W1 {W1.shape}: W2's inputs must be W1's outputs")
    check_memory(ITEM * math.prod(W2.shape[:2] + W1.shape[2:]), "compose", W2=W2, W1=W1)
    return np.einsum("ijkl,klmn->ijmn", W2, W1)


def receptive_field(W, i: int, j: int) -> np.ndarray:
    """Boolean mask of the input pixels that output ``(i, j)`` depends on.

    Examples
    --------
    >>> receptive_field(tied_dense_weights(np.ones((3, 3)), (5, 5)), 2, 2).sum()
    np.int64(9)

    Raises
    ------
    ValueError
        If `i` or `j` is not an output position: indices do not wrap around.
    """
    W = check_array("W", W, ndim=4)
    i = check_index("i", i, W.shape[0], of=f"W has {W.shape[0]} output rows")
    j = check_index("j", j, W.shape[1], of=f"W has {W.shape[1]} output columns")
    return W[i, j] != 0

"""Translation equivariance of convolution, and where zero padding breaks it."""

from __future__ import annotations

import numpy as np

from .conv import check_boundary
from .validation import ITEM, check_array, check_int, check_memory, check_shape


def translate(x, shift, boundary="fill") -> np.ndarray:
    """Move an image's content down and right by ``shift = (rows, cols)``.

    ``boundary="fill"`` lets content fall off the far edge and brings in zeros;
    ``"wrap"`` moves it around a torus (``np.roll``), losing nothing.

    Examples
    --------
    >>> translate([[1, 2], [3, 4]], (0, 1)).tolist()
    [[0.0, 1.0], [0.0, 3.0]]
    >>> translate([[1, 2], [3, 4]], (0, 1), boundary="wrap").tolist()
    [[2.0, 1.0], [4.0, 3.0]]
    """
    x = check_array("x", x, ndim=2)
    dy, dx = check_shape("shift", shift, 2, minimum=0)
    if check_boundary(boundary) == "wrap":
        return np.roll(x, (dy % x.shape[0], dx % x.shape[1]), axis=(0, 1))
    moved = np.zeros_like(x)
    if dy < x.shape[0] and dx < x.shape[1]:  # otherwise everything fell off
        moved[dy:, dx:] = x[: x.shape[0] - dy, : x.shape[1] - dx]
    return moved


def broken_by_zero_padding(shape, kernel_size: int, shift) -> np.ndarray:
    """Where ``translate(correlate(x))`` and ``correlate(translate(x))`` differ.

    For a "same" correlation with an odd ``kernel_size = 2h + 1`` and zero
    ("fill") boundaries, output ``(i, j)`` differs for a generic image exactly when
    its window reaches the shifted content (``i >= dy - h`` and ``j >= dx - h``) and
    either straddles the seam where zeros came in (``i < dy`` or ``j < dx``) or
    reaches past the far edge where content fell off (``i >= rows - h`` when
    ``dy > 0``, ``j >= cols - h`` when ``dx > 0``). Everywhere else the two agree.
    A shift of ``rows`` or more (or ``cols`` or more) moves all content off the
    image: both sides are all zeros, and nothing is broken.

    Returns
    -------
    ndarray of bool, shape `shape`

    Examples
    --------
    >>> broken_by_zero_padding((4, 4), 3, (1, 0)).astype(int).tolist()
    [[1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]]
    """
    rows, cols = check_shape("shape", shape, 2)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    if kernel_size % 2 == 0:
        raise ValueError(f"kernel_size={kernel_size}: expected an odd size, centred by 'same' padding")
    dy, dx = check_shape("shift", shift, 2, minimum=0)
    # two index grids, four masks and the result
    check_memory(3 * ITEM * rows * cols, "broken_by_zero_padding", shape=shape, kernel_size=kernel_size, shift=shift)
    if dy >= rows or dx >= cols:
        return np.zeros((rows, cols), dtype=bool)
    h = kernel_size // 2
    i, j = np.indices((rows, cols))
    reaches_content = (i >= dy - h) & (j >= dx - h)
    at_seam = (i < dy) | (j < dx)
    at_far_edge = ((dy > 0) & (i >= rows - h)) | ((dx > 0) & (j >= cols - h))
    return reaches_content & (at_seam | at_far_edge)

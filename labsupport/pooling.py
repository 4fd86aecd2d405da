"""Max and average pooling, as Keras' pooling layers compute them."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .arith import pool_output_size, same_padding
from .validation import check_array, check_pair

MODES = ("max", "avg")


def _geometry(x, size, stride, padding):
    size = check_pair("size", size, minimum=1)
    stride = size if stride is None else check_pair("stride", stride, minimum=1)
    if padding == "valid":
        pads = ((0, 0), (0, 0))
        for axis in (0, 1):
            pool_output_size(x.shape[1 + axis], size[axis], stride[axis])  # raises if the window does not fit
    elif padding == "same":
        pads = tuple(same_padding(x.shape[1 + axis], size[axis], stride[axis]) for axis in (0, 1))
    else:
        raise ValueError(f"padding={padding!r}: expected 'valid' or 'same'")
    return size, stride, pads


def pool2d(x, size=2, stride=None, padding="valid", mode="max") -> np.ndarray:
    """Pool every ``size`` window: its maximum or its mean.

    Parameters
    ----------
    x : array_like, shape (h, w) or (batch, h, w, channels)
    size : int or (int, int), default 2
    stride : int or (int, int), optional
        Defaults to `size`: non-overlapping windows, as in Keras.
    padding : {"valid", "same"}
        ``"same"`` pads as Keras does; padded cells never win a max and are not
        counted in a mean.
    mode : {"max", "avg"}

    Raises
    ------
    ValueError
        For a bad size, stride, padding or mode, or a window larger than the input.

    Examples
    --------
    >>> pool2d(np.arange(9.0).reshape(3, 3), size=2, stride=1).tolist()
    [[4.0, 5.0], [7.0, 8.0]]
    >>> pool2d(np.arange(16.0).reshape(4, 4), mode="avg").tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 2:
        return pool2d(x[None, :, :, None], size, stride, padding, mode)[0, :, :, 0]
    x = check_array("x", x, ndim=4)
    if mode not in MODES:
        raise ValueError(f"mode={mode!r}: expected one of {MODES}")
    size, (sh, sw), pads = _geometry(x, size, stride, padding)
    spec = ((0, 0), *pads, (0, 0))
    if mode == "max":
        windows = sliding_window_view(np.pad(x, spec, constant_values=-np.inf), size, axis=(1, 2))
        return windows[:, ::sh, ::sw].max(axis=(-2, -1))
    total = sliding_window_view(np.pad(x, spec), size, axis=(1, 2))[:, ::sh, ::sw].sum(axis=(-2, -1))
    count = sliding_window_view(np.pad(np.ones(x.shape[1:3]), pads), size)[::sh, ::sw].sum(axis=(-2, -1))
    return total / count[None, :, :, None]


def pool2d_loop(x, size=2, stride=None, mode="max") -> np.ndarray:
    """:func:`pool2d` of a 2-D array without padding, with explicit loops.

    Examples
    --------
    >>> pool2d_loop(np.arange(9.0).reshape(3, 3), size=2, stride=1).tolist()
    [[4.0, 5.0], [7.0, 8.0]]
    """
    x = check_array("x", x, ndim=2)
    size, (sh, sw), _ = _geometry(x[None, :, :, None], size, stride, "valid")
    if mode not in MODES:
        raise ValueError(f"mode={mode!r}: expected one of {MODES}")
    reduce = np.max if mode == "max" else np.mean
    out_h, out_w = pool_output_size(x.shape, size, (sh, sw))
    y = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            y[i, j] = reduce(x[i * sh : i * sh + size[0], j * sw : j * sw + size[1]])
    return y

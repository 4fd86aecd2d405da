"""Max and average pooling, as Keras' pooling layers compute them."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .arith import same_padding
from .conv import _built_size, _padded_window, _read_extent
from .validation import ITEM, check_array, check_choice, check_loops, check_memory, check_pair

MODES = ("max", "avg")
PADDINGS = ("valid", "same")


def _geometry(x, size, stride, padding):
    """Window, stride, padding, output shape and the padded extent the windows read, for a NHWC `x`."""
    size_argument = size
    size = check_pair("size", size, minimum=1)
    stride = size if stride is None else check_pair("stride", stride, minimum=1)
    check_choice("padding", padding, PADDINGS)
    hw = x.shape[1:3]
    if padding == "valid":
        pads = ((0, 0), (0, 0))
        for axis, name in enumerate(("rows", "columns")):
            if size[axis] > hw[axis]:
                raise ValueError(
                    f"size={size_argument!r} spans {size[axis]} {name} but x has only {hw[axis]}: expected a window "
                    "that fits the input, or padding='same'"
                )
        out = tuple((n - k) // s + 1 for n, k, s in zip(hw, size, stride))
    else:
        pads = tuple(same_padding(hw[axis], size[axis], stride[axis]) for axis in (0, 1))
        out = tuple(-(-n // s) for n, s in zip(hw, stride))
    extent = tuple(_read_extent(o, k, s) for o, k, s in zip(out, size, stride))
    # a stride applied to one output only moves nothing; a finite one keeps slicing simple
    stride = tuple(min(s, e) for s, e in zip(stride, extent))
    return size, stride, pads, out, extent


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
    x = check_array("x", x, ndim=(2, 4))
    if x.ndim == 2:
        return pool2d(x[None, :, :, None], size, stride, padding, mode)[0, :, :, 0]
    check_choice("mode", mode, MODES)
    size_argument, stride_argument = size, stride
    size, (sh, sw), pads, out, extent = _geometry(x, size, stride, padding)
    batch, channels = x.shape[0], x.shape[3]
    # the padded input as built, the plane of real-cell counts (avg only), the output
    plane = _built_size(x.shape[1:3], pads, extent)
    count_plane = plane if mode == "avg" else 0  # a mean divides by the real cells each window covers
    check_memory(ITEM * (batch * plane * channels + count_plane + 2 * batch * out[0] * out[1] * channels), "pool2d",
                 x=x, size=size_argument, stride=stride_argument, padding=padding)
    if mode == "max":
        windows = sliding_window_view(_padded_window(x, pads, extent, axes=(1, 2), value=-np.inf), size, axis=(1, 2))
        return windows[:, ::sh, ::sw].max(axis=(-2, -1))
    total = sliding_window_view(_padded_window(x, pads, extent, axes=(1, 2)), size, axis=(1, 2))
    total = total[:, ::sh, ::sw].sum(axis=(-2, -1))
    count = sliding_window_view(_padded_window(np.ones(x.shape[1:3]), pads, extent), size)[::sh, ::sw].sum(axis=(-2, -1))
    return total / count[None, :, :, None]


def pool2d_loop(x, size=2, stride=None, mode="max") -> np.ndarray:
    """:func:`pool2d` of a 2-D array without padding, with explicit loops.

    Examples
    --------
    >>> pool2d_loop(np.arange(9.0).reshape(3, 3), size=2, stride=1).tolist()
    [[4.0, 5.0], [7.0, 8.0]]
    """
    x = check_array("x", x, ndim=2)
    check_choice("mode", mode, MODES)
    size_argument, stride_argument = size, stride
    size, (sh, sw), _, out, _ = _geometry(x[None, :, :, None], size, stride, "valid")
    check_loops(out[0] * out[1], "pool2d_loop", x=x, size=size_argument, stride=stride_argument)
    check_memory(ITEM * (out[0] * out[1] + x.size), "pool2d_loop", x=x, size=size_argument, stride=stride_argument)
    reduce = np.max if mode == "max" else np.mean
    out_h, out_w = out
    y = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            y[i, j] = reduce(x[i * sh : i * sh + size[0], j * sw : j * sw + size[1]])
    return y

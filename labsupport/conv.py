"""Convolution and cross-correlation, in 1-D, 2-D and in Keras' NHWC layout.

Deep-learning "convolution" layers compute a *cross-correlation*:

    correlation  y[i, j] = sum_mn x[i + m, j + n] k[m, n]
    convolution  y[i, j] = sum_mn x[i - m, j - n] k[m, n]

so ``convolve2d(x, k)`` is ``correlate2d(x, k[::-1, ::-1])`` for ``"valid"`` and
``"full"`` padding, and for ``"same"`` with an odd kernel; with an even kernel and
``"same"`` the two put the odd zero on different sides (see Padding). Every function
here has a plain-loop twin (``*_loop``), the version the book teaches, and the
vectorised version that the tests hold equal to it, to SciPy and to TensorFlow.

Padding
-------
``padding`` is ``"valid"`` (none), ``"full"`` (every partial overlap), ``"same"``
(output size ``ceil(n / stride)``), an int, or a ``(rows, cols)`` pair. When
``"same"`` needs an odd number of zeros, the libraries disagree on where the
extra one goes, and each function here follows the library it is checked
against: :func:`correlate2d` and :func:`conv2d` put it after (bottom/right),
as TensorFlow, Keras and ``scipy.signal.correlate2d`` do; :func:`convolve2d`
puts it before, as ``scipy.signal.convolve2d`` does, which keeps its output the
centre of the full convolution; the 1-D functions follow NumPy and
``scipy.signal.correlate``, which put it before.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .arith import same_padding
from .validation import (ITEM, ArgumentTypeError, as_real_array, check_array, check_bool, check_choice, check_int, check_loops, check_memory,
                         check_pair, check_shape)

PADDING_MODES = ("valid", "same", "full")


def axis_padding(padding, n: int, k_eff: int, stride: int, extra_after: bool = True) -> tuple[int, int]:
    """Zeros added (before, after) one axis of length `n` for an effective kernel `k_eff`.

    ``"same"`` follows TensorFlow: the output has ``ceil(n / stride)`` entries and
    the total padding is ``max((out - 1) * stride + k_eff - n, 0)``, split evenly
    with the odd one after (or before, if ``extra_after`` is False).

    Examples
    --------
    >>> axis_padding("same", 5, 4, 1)
    (1, 2)
    >>> axis_padding("same", 5, 4, 1, extra_after=False)
    (2, 1)
    >>> axis_padding("full", 5, 3, 1)
    (2, 2)
    """
    padding = _axis_mode("padding", padding)
    n = check_int("n", n, minimum=1)
    k_eff = check_int("k_eff", k_eff, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    extra_after = check_bool("extra_after", extra_after)
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return k_eff - 1, k_eff - 1
    if padding == "same":
        small, large = same_padding(n, k_eff, stride)
        return (small, large) if extra_after else (large, small)
    return padding, padding


def _axis_mode(name, value):
    if isinstance(value, str):
        if value not in PADDING_MODES:
            raise ValueError(f"{name}={value!r}: expected one of {PADDING_MODES}, an int or a (rows, cols) pair")
        return value
    return check_int(name, value, minimum=0)


def _padding_per_axis(padding) -> tuple:
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ValueError(f"padding={padding!r}: expected one of {PADDING_MODES}, an int or a (rows, cols) pair")
        return _axis_mode("padding[0]", padding[0]), _axis_mode("padding[1]", padding[1])
    mode = _axis_mode("padding", padding)
    return mode, mode


def resolve_padding(padding, input_hw, kernel_hw, stride=1, dilation=1, extra_after: bool = True,
                    names=("input_hw", "kernel_hw")):
    """Padding amounts ``((top, bottom), (left, right))`` and the effective kernel size.

    The effective (dilated) kernel spans ``dilation * (k - 1) + 1`` input pixels.
    `names` are what the caller calls the input and the kernel, for messages.

    Raises
    ------
    ValueError
        For an unknown mode, negative padding, a stride or dilation < 1, or a
        kernel larger than the padded input.

    Examples
    --------
    >>> resolve_padding("same", (4, 4), (3, 3))
    (((1, 1), (1, 1)), (3, 3))
    """
    input_hw = check_shape("input_hw", input_hw, 2)
    kernel_hw = check_shape("kernel_hw", kernel_hw, 2)
    stride = check_pair("stride", stride, minimum=1)
    dilation = check_pair("dilation", dilation, minimum=1)
    extra_after = check_bool("extra_after", extra_after)
    modes = _padding_per_axis(padding)
    k_eff = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel_hw))
    pads = tuple(
        axis_padding(mode, n, ke, s, extra_after)
        for mode, n, ke, s in zip(modes, input_hw, k_eff, stride)
    )
    if not isinstance(names, (tuple, list)) or len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise ArgumentTypeError(f"names={names!r}: expected two strings, what the caller calls the input and kernel")
    input_name, kernel_name = names
    for axis, name in enumerate(("rows", "columns")):
        padded = input_hw[axis] + sum(pads[axis])
        if k_eff[axis] > padded:
            raise ValueError(
                f"kernel spans {k_eff[axis]} {name} ({kernel_name} has {kernel_hw[axis]}, dilation {dilation[axis]}) "
                f"but the padded input has only {padded} ({input_name} has {input_hw[axis]}, padding {pads[axis]}): "
                "expected a kernel no larger than the padded input"
            )
    return pads, k_eff


def _check_pads(pads) -> tuple:
    if not isinstance(pads, (tuple, list)) or len(pads) != 2:
        raise ArgumentTypeError(f"pads={pads!r}: expected ((top, bottom), (left, right)) of integers >= 0")
    return tuple(check_shape(f"pads[{axis}]", pair, 2, minimum=0) for axis, pair in enumerate(pads))


def output_shape(input_hw, k_eff, pads, stride) -> tuple[int, int]:
    """Rows and columns of the output: ``floor((n + before + after - k_eff) / s) + 1`` per axis.

    Raises
    ------
    ValueError
        For sizes below 1, negative padding, or an effective kernel larger than
        the padded input (which has no output at all).

    Examples
    --------
    >>> output_shape((5, 5), (3, 3), ((1, 1), (0, 0)), 2)
    (3, 2)
    """
    input_hw = check_shape("input_hw", input_hw, 2)
    k_eff = check_shape("k_eff", k_eff, 2)
    pads = _check_pads(pads)
    stride = check_pair("stride", stride, minimum=1)
    for axis in (0, 1):
        padded = input_hw[axis] + sum(pads[axis])
        if k_eff[axis] > padded:
            raise ValueError(
                f"k_eff[{axis}]={k_eff[axis]} is larger than the padded input (input_hw[{axis}]={input_hw[axis]}, "
                f"pads[{axis}]={pads[axis]}): expected a kernel no larger than the padded input"
            )
    return tuple((n + sum(p) - ke) // s + 1 for n, p, ke, s in zip(input_hw, pads, k_eff, stride))


def _read_extent(out: int, k_eff: int, stride: int) -> int:
    """Entries of the padded axis the windows read: ``(out - 1) * stride + k_eff``.

    Padding beyond this is never read (the floor in the output size drops it),
    so it is never built.
    """
    return (out - 1) * stride + k_eff


def _built_size(hw, pads, extent) -> int:
    """Entries (per image and channel) that :func:`_padded_window` allocates: the whole padded
    plane, or only the read extent when that is less than half of it."""
    full = math.prod(n + sum(p) for n, p in zip(hw, pads))
    return full if 2 * math.prod(extent) >= full else math.prod(extent)


def _padded_window(x, pads, extent, axes=(0, 1), boundary="fill", value=0.0) -> np.ndarray:
    """``pad(x, pads, boundary)`` cut to its first ``extent`` entries along `axes`.

    Equal to ``np.pad(...)[:extent[0], :extent[1]]`` on those axes. When most of
    the padded array would go unread (huge padding under a huge stride), only the
    part the windows read is built; otherwise the whole padded array is, and the
    result is a view of it, laid out in memory as before.
    """
    full = [x.shape[axis] + sum(p) for axis, p in zip(axes, pads)]
    spec = [(0, 0)] * x.ndim
    for axis, p in zip(axes, pads):
        spec[axis] = tuple(p)
    mode = BOUNDARIES[check_boundary(boundary)]
    if 2 * math.prod(extent) >= math.prod(full):
        padded = np.pad(x, spec, mode=mode, **({"constant_values": value} if mode == "constant" else {}))
        crop = [slice(None)] * x.ndim
        for axis, size in zip(axes, extent):
            crop[axis] = slice(0, size)
        return padded[tuple(crop)]
    if mode == "wrap":
        for axis, (before, _), size in zip(axes, pads, extent):
            x = np.take(x, (np.arange(size) - before) % x.shape[axis], axis=axis)
        return x
    shape = list(x.shape)
    for axis, size in zip(axes, extent):
        shape[axis] = size
    out = np.full(shape, value, dtype=x.dtype)
    target, source = [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for axis, (before, _), size in zip(axes, pads, extent):
        stop = min(x.shape[axis], max(size - before, 0))
        target[axis] = slice(min(before, size), min(before, size) + stop)
        source[axis] = slice(0, stop)
    out[tuple(target)] = x[tuple(source)]
    return out


BOUNDARIES = {"fill": "constant", "wrap": "wrap"}


def check_boundary(boundary) -> str:
    """Return `boundary` if it is ``"fill"`` or ``"wrap"``, else raise a ValueError naming it."""
    if not isinstance(boundary, str) or boundary not in BOUNDARIES:
        raise ValueError(f"boundary={boundary!r}: expected one of {tuple(BOUNDARIES)}")
    return boundary


def pad(x, pads, boundary="fill") -> np.ndarray:
    """Pad a 2-D array with zeros (``"fill"``) or periodically (``"wrap"``, circular).

    Examples
    --------
    >>> pad(np.array([[1, 2, 3]]), ((0, 0), (1, 1)), boundary="wrap").tolist()
    [[3, 1, 2, 3, 1]]
    """
    x = as_real_array("x", x)
    if x.ndim != 2:
        raise ValueError(f"x has shape {x.shape} ({x.ndim}-D): expected a 2-D array")
    pads = _check_pads(pads)
    boundary = check_boundary(boundary)
    if boundary == "wrap" and x.size == 0 and any(map(sum, pads)):
        raise ValueError(f"x has shape {x.shape}: expected a non-empty array to wrap around")
    padded = [n + sum(p) for n, p in zip(x.shape, pads)]
    check_memory(x.itemsize * padded[0] * padded[1], "pad", x=x, pads=pads)
    return np.pad(x, pads, mode=BOUNDARIES[boundary])


def _prepare_2d(x, k, padding, stride, dilation, extra_after=True, boundary="fill", operation="correlate2d",
                loop=False, kernel_name="k"):
    """Check everything, estimate the cost, and build only the padded input the windows read."""
    request = {"x": x, kernel_name: k, "padding": padding, "stride": stride, "dilation": dilation}
    x = check_array("x", x, ndim=2)
    k = check_array(kernel_name, k, ndim=2)
    request.update({"x": x, kernel_name: k})
    boundary = check_boundary(boundary)
    pads, k_eff = resolve_padding(padding, x.shape, k.shape, stride, dilation, extra_after, ("x", kernel_name))
    stride, dilation = check_pair("stride", stride, 1), check_pair("dilation", dilation, 1)
    out = output_shape(x.shape, k_eff, pads, stride)
    extent = tuple(_read_extent(o, ke, s) for o, ke, s in zip(out, k_eff, stride))
    # with one output along an axis the stride is never applied; a finite one keeps index arithmetic in int64
    stride = tuple(min(s, e) for s, e in zip(stride, extent))
    check_memory(ITEM * (_built_size(x.shape, pads, extent) + out[0] * out[1] + x.size + k.size), operation,
                 **request)
    if loop:
        check_loops(out[0] * out[1] * k.size, operation, **request)
    return _padded_window(x, pads, extent, boundary=boundary), k, stride, dilation


def correlate2d_loop(x, k, padding="valid", stride=1, dilation=1, boundary="fill", extra_after=True) -> np.ndarray:
    """2-D cross-correlation with explicit loops: the version to read.

    Same arguments and result as :func:`correlate2d`.

    Examples
    --------
    >>> correlate2d_loop(np.arange(9.0).reshape(3, 3), [[0, 1], [2, 3]]).tolist()
    [[19.0, 25.0], [37.0, 43.0]]
    """
    xp, k, (sh, sw), (dh, dw) = _prepare_2d(x, k, padding, stride, dilation, extra_after, boundary,
                                            "correlate2d_loop", loop=True)
    kh, kw = k.shape
    out_h = (xp.shape[0] - dh * (kh - 1) - 1) // sh + 1
    out_w = (xp.shape[1] - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            total = 0.0
            for m in range(kh):
                for n in range(kw):
                    total += xp[i * sh + m * dh, j * sw + n * dw] * k[m, n]
            y[i, j] = total
    return y


def _correlate_padded(xp, k, stride, dilation) -> np.ndarray:
    kh, kw = k.shape
    (sh, sw), (dh, dw) = stride, dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    # every window as a view (no copy); stride and dilation are slices of it. A plain
    # einsum walks the view in C; optimize=True would first copy it, k*k times the input.
    windows = sliding_window_view(xp, span)[::sh, ::sw, ::dh, ::dw]
    return np.einsum("ijmn,mn->ij", windows, k)


def correlate2d(x, k, padding="valid", stride=1, dilation=1, boundary="fill") -> np.ndarray:
    """2-D cross-correlation ``y[i, j] = sum_mn xp[i*s + m*d, j*s + n*d] k[m, n]``.

    ``xp`` is `x` padded with zeros. This is what a convolution layer computes.

    Parameters
    ----------
    x : array_like, shape (h, w)
    k : array_like, shape (kh, kw)
    padding : {"valid", "same", "full"}, int or (int, int), default "valid"
        ``"same"`` puts an odd extra zero bottom/right, as TensorFlow and
        ``scipy.signal.correlate2d`` do.
    stride, dilation : int or (int, int), default 1
    boundary : {"fill", "wrap"}, default "fill"
        What the padding holds: zeros, or the image repeated periodically
        (circular correlation), as in ``scipy.signal.correlate2d``.

    Returns
    -------
    ndarray of float, shape ``floor((h + pad - dilation*(kh-1) - 1) / stride) + 1`` per axis

    Raises
    ------
    ValueError
        If an array is not 2-D, padding or boundary is unknown, padding is
        negative, stride or dilation is below 1, or the kernel is larger than
        the padded input.

    Examples
    --------
    >>> correlate2d(np.arange(1, 10).reshape(3, 3), [[1, 2], [3, 4]]).tolist()
    [[37.0, 47.0], [67.0, 77.0]]
    """
    xp, k, stride, dilation = _prepare_2d(x, k, padding, stride, dilation, boundary=boundary)
    return _correlate_padded(xp, k, stride, dilation)


def convolve2d(x, k, padding="valid", stride=1, dilation=1, boundary="fill") -> np.ndarray:
    """2-D convolution: :func:`correlate2d` with the kernel flipped in both axes.

    ``convolve2d(x, k, p) == correlate2d(x, k[::-1, ::-1], p)``, except that an
    odd ``"same"`` zero goes top/left, so that the result is the centre of the
    full convolution, as in ``scipy.signal.convolve2d(mode="same")``.

    Examples
    --------
    >>> convolve2d(np.arange(1, 10).reshape(3, 3), [[1, 2], [3, 4]]).tolist()
    [[23.0, 33.0], [53.0, 63.0]]
    """
    k = check_array("k", k, ndim=2)
    xp, flipped, stride, dilation = _prepare_2d(
        x, k[::-1, ::-1], padding, stride, dilation, extra_after=False, boundary=boundary, operation="convolve2d"
    )
    return _correlate_padded(xp, flipped, stride, dilation)


def convolve2d_loop(x, k, padding="valid", stride=1, dilation=1, boundary="fill") -> np.ndarray:
    """:func:`convolve2d` through :func:`correlate2d_loop`, for reading."""
    k = check_array("k", k, ndim=2)
    return correlate2d_loop(x, k[::-1, ::-1], padding, stride, dilation, boundary, extra_after=False)


def _as_row(name, v):
    return check_array(name, v, ndim=1)[np.newaxis, :]


def _check_mode(mode):
    return check_choice("mode", mode, PADDING_MODES)


def correlate1d(x, w, mode="valid") -> np.ndarray:
    """1-D cross-correlation ``y[i] = sum_m xp[i + m] w[m]``, as ``np.correlate(x, w, mode)``.

    Parameters
    ----------
    x, w : array_like, 1-D
    mode : {"valid", "same", "full"}, default "valid"
        ``"same"`` returns ``len(x)`` values, its odd extra zero at the start
        (NumPy's and SciPy's convention).

    Raises
    ------
    ValueError
        For a wrong rank, an unknown mode, or ``len(w) > len(x)`` in ``"valid"``.

    Examples
    --------
    >>> correlate1d([1, 2, 3, 4], [1, 0, -1]).tolist()
    [-2.0, -2.0]
    """
    row = _as_row("x", x)
    xp, k, s, d = _prepare_2d(row, _as_row("w", w), ("valid", _check_mode(mode)), 1, 1, extra_after=False,
                              operation="correlate1d", kernel_name="w")
    return _correlate_padded(xp, k, s, d)[0]


def convolve1d(x, w, mode="valid") -> np.ndarray:
    """1-D convolution ``y[i] = sum_m x[i - m] w[m]``, as ``np.convolve(x, w, mode)``.

    It is :func:`correlate1d` with `w` reversed.

    Examples
    --------
    >>> convolve1d([1, 2, 3], [1, 1], mode="full").tolist()  # (1 + 2t + 3t^2)(1 + t)
    [1.0, 3.0, 5.0, 3.0]
    """
    w = check_array("w", w, ndim=1)
    return correlate1d(x, w[::-1], mode)


def correlate1d_loop(x, w, mode="valid") -> np.ndarray:
    """:func:`correlate1d` with explicit loops."""
    row, w_row, padding = _as_row("x", x), _as_row("w", w), ("valid", _check_mode(mode))
    resolve_padding(padding, row.shape, w_row.shape, extra_after=False, names=("x", "w"))  # errors name w, not k
    return correlate2d_loop(row, w_row, padding, extra_after=False)[0]


def _check_nhwc(x, w, b):
    x = check_array("x", x, ndim=4)
    w = check_array("w", w, ndim=4)
    if x.shape[3] != w.shape[2]:
        raise ValueError(
            f"x has {x.shape[3]} channels (shape {x.shape}, NHWC) but w expects {w.shape[2]} "
            f"(shape {w.shape}, HWIO): expected the kernel's in_channels to match the input's channels"
        )
    if b is not None:
        b = check_array("b", b, ndim=(0, 1))
        if b.ndim > 1 or (b.ndim == 1 and b.shape[0] != w.shape[3]):
            raise ValueError(f"b has shape {b.shape}: expected a scalar or ({w.shape[3]},), one bias per output channel")
    return x, w, b


def conv2d(x, w, b=None, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """A convolution layer's forward pass, exactly as ``keras.layers.Conv2D`` computes it.

    ``y[n, i, j, o] = b[o] + sum_{m, p, c} xp[n, i*s + m*d, j*s + p*d, c] w[m, p, c, o]``:
    a cross-correlation summed over input channels, one kernel per output channel.

    Parameters
    ----------
    x : array_like, shape (batch, height, width, in_channels)
        NHWC, Keras' default layout.
    w : array_like, shape (kh, kw, in_channels, out_channels)
        HWIO, the layout of ``Conv2D.kernel``.
    b : float or array_like of shape (out_channels,), optional
    stride, dilation : int or (int, int), default 1
    padding : {"valid", "same", "full"}, int or (int, int), default "valid"
        ``"same"`` pads as Keras does: an odd extra zero goes bottom/right.

    Returns
    -------
    ndarray, shape (batch, out_h, out_w, out_channels)

    Raises
    ------
    ValueError
        For wrong ranks, channel counts that differ, bad padding, stride or
        dilation, or a kernel larger than the padded input.

    Examples
    --------
    >>> x = np.ones((1, 3, 3, 2)); w = np.ones((2, 2, 2, 1))
    >>> conv2d(x, w, b=0.5)[0, :, :, 0].tolist()
    [[8.5, 8.5], [8.5, 8.5]]
    """
    x, w, b = _check_nhwc(x, w, b)
    xp, (sh, sw), (dh, dw), (out_h, out_w) = _prepare_nhwc(x, w, padding, stride, dilation, "conv2d")
    k_eff = ((w.shape[0] - 1) * dh + 1, (w.shape[1] - 1) * dw + 1)
    windows = sliding_window_view(xp, k_eff, axis=(1, 2))[:, ::sh, ::sw, :, ::dh, ::dw]
    # windows: (batch, out_h, out_w, in_channels, kh, kw); sum over the last three
    y = np.tensordot(windows, w, axes=([3, 4, 5], [2, 0, 1]))
    return y if b is None else y + b


def _prepare_nhwc(x, w, padding, stride, dilation, operation, loop=False):
    kh, kw, c_in, c_out = w.shape
    request = dict(x=x, w=w, padding=padding, stride=stride, dilation=dilation)
    pads, k_eff = resolve_padding(padding, x.shape[1:3], (kh, kw), stride, dilation, names=("x", "w"))
    stride, dilation = check_pair("stride", stride, 1), check_pair("dilation", dilation, 1)
    out = output_shape(x.shape[1:3], k_eff, pads, stride)
    extent = tuple(_read_extent(o, ke, s) for o, ke, s in zip(out, k_eff, stride))
    stride = tuple(min(s, e) for s, e in zip(stride, extent))
    batch, positions = x.shape[0], out[0] * out[1]
    # padded input, the patches tensordot gathers into one matrix, and the output (twice with a bias)
    needed = batch * (_built_size(x.shape[1:3], pads, extent) * c_in + positions * kh * kw * c_in
                      + 2 * positions * c_out)
    check_memory(ITEM * (needed + x.size + w.size), operation, **request)
    if loop:
        check_loops(batch * positions * c_out, operation, **request)
    return _padded_window(x, pads, extent, axes=(1, 2)), stride, dilation, out


def conv2d_loop(x, w, b=None, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """:func:`conv2d` with explicit loops over images, positions and output channels.

    Examples
    --------
    >>> conv2d_loop(np.ones((1, 3, 3, 2)), np.ones((2, 2, 2, 1)), b=0.5)[0, 0, 0, 0]
    np.float64(8.5)
    """
    x, w, b = _check_nhwc(x, w, b)
    kh, kw, _, c_out = w.shape
    xp, (sh, sw), (dh, dw), (out_h, out_w) = _prepare_nhwc(x, w, padding, stride, dilation, "conv2d_loop", True)
    k_eff = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    bias = np.zeros(c_out) if b is None else np.broadcast_to(b, (c_out,))
    y = np.zeros((x.shape[0], out_h, out_w, c_out))
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                patch = xp[n, i * sh : i * sh + k_eff[0] : dh, j * sw : j * sw + k_eff[1] : dw, :]
                for o in range(c_out):
                    y[n, i, j, o] = np.sum(patch * w[:, :, :, o]) + bias[o]
    return y


def flip(k) -> np.ndarray:
    """The kernel rotated by 180 degrees: both axes reversed.

    Examples
    --------
    >>> flip([[1, 2], [3, 4]]).tolist()
    [[4.0, 3.0], [2.0, 1.0]]
    """
    return check_array("k", k, ndim=2)[::-1, ::-1].copy()


__all__ = [
    "axis_padding",
    "check_boundary",
    "conv2d",
    "conv2d_loop",
    "convolve1d",
    "convolve2d",
    "convolve2d_loop",
    "correlate1d",
    "correlate1d_loop",
    "correlate2d",
    "correlate2d_loop",
    "flip",
    "output_shape",
    "pad",
    "resolve_padding",
]

"""Convolution arithmetic: output sizes, padding amounts, parameter counts, receptive fields.

Every relationship of Dumoulin and Visin's guide to convolution arithmetic is a
function here, for one axis; pass ``(rows, cols)`` pairs to get a pair back.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .validation import (ITEM, ArgumentTypeError, check_bool, check_choice, check_int, check_loops, check_memory,
                         check_shape)


def dense_params(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of a dense layer: ``n_in * n_out`` weights plus ``n_out`` biases.

    Parameters
    ----------
    n_in, n_out : int
        Input and output sizes, each >= 1.
    bias : bool, default True

    Raises
    ------
    ValueError
        If a size is not an integer >= 1.

    Examples
    --------
    >>> dense_params(784, 1, bias=False)  # one neuron looking at a 28x28 image
    784
    >>> dense_params(784, 10)
    7850
    """
    n_in = check_int("n_in", n_in, minimum=1)
    n_out = check_int("n_out", n_out, minimum=1)
    return n_in * n_out + (n_out if check_bool("bias", bias) else 0)


def weights_per_neuron(input_shape: Sequence[int]) -> int:
    """Weights of one fully connected neuron that sees a whole input of this shape.

    Examples
    --------
    >>> weights_per_neuron((32, 32, 3))
    3072
    """
    if not isinstance(input_shape, (tuple, list)) or not input_shape:
        raise ArgumentTypeError(f"input_shape={input_shape!r}: expected a non-empty tuple of sizes")
    sizes = [check_int(f"input_shape[{axis}]", size, minimum=1) for axis, size in enumerate(input_shape)]
    return dense_params(math.prod(sizes), 1, bias=False)


def mlp_params(layer_sizes: Sequence[int], bias: bool = True) -> int:
    """Parameters of a stack of dense layers with the given widths, input first.

    Examples
    --------
    >>> mlp_params([10**6, 10**4, 1])  # the audio network: about ten billion
    10000020001
    """
    if not isinstance(layer_sizes, (tuple, list)):
        raise ArgumentTypeError(f"layer_sizes={layer_sizes!r}: expected a list of layer widths, input first")
    if len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes={list(layer_sizes)!r}: expected at least an input and an output size")
    sizes = [check_int(f"layer_sizes[{index}]", size, minimum=1) for index, size in enumerate(layer_sizes)]
    bias = check_bool("bias", bias)
    return sum(dense_params(n_in, n_out, bias) for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def conv_params(kh: int, kw: int, c_in: int, c_out: int, bias: bool = True) -> int:
    """Parameters of a 2-D convolution layer: ``(kh * kw * c_in) * c_out`` weights plus ``c_out`` biases.

    Examples
    --------
    >>> conv_params(5, 5, 3, 10)  # ten 5x5 filters on an RGB image
    760
    """
    kh = check_int("kh", kh, minimum=1)
    kw = check_int("kw", kw, minimum=1)
    c_in = check_int("c_in", c_in, minimum=1)
    c_out = check_int("c_out", c_out, minimum=1)
    return kh * kw * c_in * c_out + (c_out if check_bool("bias", bias) else 0)


def _pairwise(function):
    """Let a one-axis function take (rows, cols) pairs and return a pair."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        arguments = signature.bind(*args, **kwargs).arguments
        if not any(isinstance(value, (tuple, list)) for value in arguments.values()):
            return function(*args, **kwargs)
        for name, value in arguments.items():
            if isinstance(value, (tuple, list)) and len(value) != 2:
                raise ValueError(f"{name}={value!r}: expected an integer or a (rows, cols) pair")
        return tuple(
            function(**{name: value[index] if isinstance(value, (tuple, list)) else value
                        for name, value in arguments.items()})
            for index in (0, 1)
        )

    return wrapper


_MINIMUMS = {"i": 1, "k": 1, "p": 0, "s": 1, "d": 1, "output_padding": 0}


def _one_axis(**values) -> tuple[int, ...]:
    """Check arguments of a one-axis-only function: each an integer (not a pair) at or above its minimum."""
    return tuple(check_int(name, value, _MINIMUMS[name]) for name, value in values.items())


def effective_kernel(k: int, d: int = 1) -> int:
    """Input pixels a dilated kernel spans: ``k + (k - 1)(d - 1)``.

    Examples
    --------
    >>> effective_kernel(3, d=2)
    5
    """
    k = check_int("k", k, minimum=1)
    d = check_int("d", d, minimum=1)
    return k + (k - 1) * (d - 1)


def _check_fits(i, k_eff, p, k, d):
    if k_eff > i + 2 * p:
        raise ValueError(
            f"k={k} (dilation d={d}) spans {k_eff} pixels but the padded input has i + 2p = {i + 2 * p}: "
            "expected an effective kernel no larger than the padded input"
        )


@_pairwise
def conv_output_size(i: int, k: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Output size of a convolution: ``floor((i + 2p - k - (k - 1)(d - 1)) / s) + 1``.

    Parameters
    ----------
    i : int
        Input size.
    k : int
        Kernel size.
    p : int, default 0
        Zeros added on *each* side.
    s : int, default 1
        Stride.
    d : int, default 1
        Dilation.

    Raises
    ------
    ValueError
        Naming the argument, for ``i < 1``, ``k < 1``, ``p < 0``, ``s < 1``, ``d < 1``,
        or a dilated kernel larger than the padded input.

    Examples
    --------
    >>> conv_output_size(5, 3, p=1, s=2)
    3
    >>> conv_output_size((28, 32), 5)
    (24, 28)
    """
    i = check_int("i", i, minimum=1)
    k_eff = effective_kernel(k, d)
    p = check_int("p", p, minimum=0)
    s = check_int("s", s, minimum=1)
    _check_fits(i, k_eff, p, k, d)
    return (i + 2 * p - k_eff) // s + 1


def _keywords_after_window(function):
    """Refuse a third positional argument: ``s`` and ``p`` must be named.

    ``conv_output_size`` takes ``(i, k, p, s)`` and pooling used to take ``(i, k, s, p)``,
    so ``pool_output_size(7, 3, 1)`` read the 1 as a stride where the convolution reads it
    as padding. Rather than guess which order a caller meant, a positional third argument
    is an error that says so.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if len(args) > 2:
            extra = ", ".join(repr(value) for value in args[2:])
            raise TypeError(
                f"{function.__name__}(..., {extra}): expected s and p as keywords, e.g. "
                f"{function.__name__}(i, k, s=2, p=0); a third positional argument is refused "
                "because conv_output_size reads it as the padding p and pooling used to read it "
                "as the stride s"
            )
        return function(*args, **kwargs)

    return wrapper


@_keywords_after_window
@_pairwise
def pool_output_size(i: int, k: int, *, s: int | None = None, p: int = 0) -> int:
    """Output size of pooling: ``floor((i + 2p - k) / s) + 1``, the stride defaulting to the window.

    Parameters
    ----------
    i : int or (int, int)
        Input size.
    k : int or (int, int)
        Window size.
    s : int or (int, int), optional, keyword only
        Stride; by default the window size ``k``, as in Keras' pooling layers.
    p : int or (int, int), default 0, keyword only
        Zeros added on each side.

    Raises
    ------
    TypeError
        For a third positional argument: ``conv_output_size(i, k, p, s)`` takes the padding
        third, so ``s`` and ``p`` are keyword only here to keep the two from being mixed up.
    ValueError
        Naming the argument, as for ``conv_output_size``.

    Examples
    --------
    >>> pool_output_size(28, 2)
    14
    >>> pool_output_size(7, 2)  # the last row is dropped
    3
    >>> pool_output_size(5, 3, s=1)
    3
    """
    k = check_int("k", k, minimum=1)
    s = k if s is None else check_int("s", s, minimum=1)
    return conv_output_size(i, k, p, s)


def _default_stride(operation, s, k):
    """Pooling strides default to the window (as in Keras), everything else to 1."""
    if s is not None:
        return s
    return k if operation == "pooling" else 1


@_pairwise
def transposed_output_size(i: int, k: int, p: int = 0, s: int = 1, output_padding: int = 0, d: int = 1) -> int:
    """Output size of a transposed convolution: ``(i - 1)s - 2p + (k - 1)d + output_padding + 1``.

    It inverts :func:`conv_output_size`: a convolution with these arguments maps
    the result back to `i`. Several input sizes share one convolution output when
    ``s > 1``; ``output_padding`` (``0 <= output_padding < s``) picks which.

    The bound on ``output_padding`` is Keras' (``Conv2DTranspose`` refuses
    ``output_padding >= strides``), and it is what makes the result invert
    :func:`conv_output_size`. PyTorch's ``ConvTranspose2d`` also accepts values
    below the dilation; those sizes are not the output of any convolution with
    these arguments, so they are refused here.

    Raises
    ------
    ValueError
        Naming the argument, for sizes out of range, ``output_padding >= s``, or
        a padding that crops every output.

    Examples
    --------
    >>> transposed_output_size(3, 3, p=1, s=2)
    5
    >>> transposed_output_size(3, 3, p=1, s=2, output_padding=1)
    6
    """
    i = check_int("i", i, minimum=1)
    k_eff = effective_kernel(k, d)
    p = check_int("p", p, minimum=0)
    s = check_int("s", s, minimum=1)
    output_padding = check_int("output_padding", output_padding, minimum=0)
    if output_padding >= s:
        raise ValueError(f"output_padding={output_padding}: expected less than the stride s={s} (as Keras requires)")
    size = (i - 1) * s - 2 * p + k_eff + output_padding
    if size < 1:
        raise ValueError(f"p={p} crops more than the {size + 2 * p} outputs there are: expected a smaller padding")
    return size


@_pairwise
def same_padding(i: int, k: int, s: int = 1, d: int = 1) -> tuple[int, int]:
    """The zeros (before, after) that Keras and TensorFlow add for ``padding="same"``.

    The output has ``ceil(i / s)`` entries; the total padding
    ``max((out - 1)s + k_eff - i, 0)`` is split with the odd one *after*
    (bottom/right).

    Examples
    --------
    >>> same_padding(5, 3)
    (1, 1)
    >>> same_padding(6, 3, s=2)  # asymmetric: one zero, at the end
    (0, 1)
    """
    i = check_int("i", i, minimum=1)
    k_eff = effective_kernel(k, d)
    s = check_int("s", s, minimum=1)
    out = -(-i // s)
    total = max((out - 1) * s + k_eff - i, 0)
    return total // 2, total - total // 2


def unread_inputs(i: int, k: int, p: int = 0, s: int = 1, d: int = 1) -> list[int]:
    """Input positions (0-based) that no kernel position touches: what the floor throws away.

    Examples
    --------
    >>> unread_inputs(6, 3, s=2)
    [5]
    >>> unread_inputs(5, 3, s=2)
    []
    >>> unread_inputs(10**30, 3, s=2)  # counted, not enumerated
    [999999999999999999999999999999]

    Raises
    ------
    ValueError
        For bad sizes (as :func:`conv_output_size`), and, up front, for a
        request whose answer or bookkeeping exceeds the memory or loop limit
        (:mod:`labsupport.validation`).
    """
    i, k, p, s, d = _one_axis(i=i, k=k, p=p, s=s, d=d)
    request = dict(i=i, k=k, p=p, s=s, d=d)
    out = conv_output_size(i, k, p, s, d)
    s, d = (1 if out == 1 else s), (1 if k == 1 else d)  # a stride never applied, a dilation of one tap
    # Padded position y = start*s + tap*d. With d = 1 and s <= k, or s = 1 and at least d starts,
    # the windows leave no gap: everything up to the last one's end is read, and only a tail is not.
    if (d == 1 and s <= k) or (s == 1 and out >= d):
        last_read = (out - 1) * s + (k - 1) * d - p
        first_unread = max(last_read + 1, 0)
        check_memory(36 * max(i - first_unread, 0), "unread_inputs", **request)  # 36 bytes per int in a list
        return list(range(first_unread, i))
    # Otherwise the gaps follow no simple pattern: mark the read positions, one slice per
    # start or per tap, whichever is fewer, after checking what that costs.
    padded = i + 2 * p
    loops = min(out, k)
    check_memory(padded + 36 * i + ITEM * loops, "unread_inputs", **request)
    check_loops(loops, "unread_inputs", **request)
    read = np.zeros(padded, dtype=bool)
    if k <= out:
        for tap in range(k):
            read[tap * d : tap * d + (out - 1) * s + 1 : s] = True
    else:
        for start in range(out):
            read[start * s : start * s + (k - 1) * d + 1 : d] = True
    return (np.flatnonzero(~read[p : p + i])).tolist()


@dataclass(frozen=True)
class Layer:
    """One convolution or pooling layer along one axis, for :func:`receptive_field`.

    ``padding`` is the number of zeros *before* the input (what shifts positions).
    """

    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1


@dataclass(frozen=True)
class ReceptiveField:
    """Size, jump and start of the receptive field of a stack's outputs, in input pixels.

    ``size``: input pixels one output sees. ``jump``: input pixels between
    neighbouring outputs. ``start``: centre of the first output's field (it can
    be negative, inside the padding).
    """

    size: int
    jump: int
    start: float


def receptive_field(layers: Sequence) -> ReceptiveField:
    """The receptive field of a stack of convolution and pooling layers.

    Applies, layer by layer, ``size += (k_eff - 1) * jump``,
    ``start += ((k_eff - 1) / 2 - padding) * jump`` and ``jump *= stride``.

    Parameters
    ----------
    layers : sequence of Layer or tuples ``(kernel, stride, padding, dilation)``
        Missing tuple entries take the defaults 1, 0, 1.

    Examples
    --------
    >>> receptive_field([Layer(3), Layer(3)])
    ReceptiveField(size=5, jump=1, start=2.0)
    >>> receptive_field([(3, 1, 1), (2, 2), (3, 1, 1), (2, 2)]).size
    10
    """
    size, jump, start = 1, 1, 0.0
    for index, layer in enumerate(_check_layers(layers)):
        kernel = check_int(f"layers[{index}].kernel", layer.kernel, minimum=1)
        dilation = check_int(f"layers[{index}].dilation", layer.dilation, minimum=1)
        k_eff = effective_kernel(kernel, dilation)
        stride = check_int(f"layers[{index}].stride", layer.stride, minimum=1)
        padding = check_int(f"layers[{index}].padding", layer.padding, minimum=0)
        size += (k_eff - 1) * jump
        start += ((k_eff - 1) / 2 - padding) * jump
        jump *= stride
    return ReceptiveField(size, jump, start)


def _check_layers(layers) -> list:
    """`layers` as a list of :class:`Layer`, naming the first entry that is neither a Layer nor a tuple."""
    if not isinstance(layers, (tuple, list)):
        raise ArgumentTypeError(f"layers={layers!r}: expected a list of Layer or (kernel, stride, padding, dilation)")
    checked = []
    for index, layer in enumerate(layers):
        if isinstance(layer, Layer):
            checked.append(layer)
        elif isinstance(layer, (tuple, list)) and 1 <= len(layer) <= 4:
            checked.append(Layer(*layer))
        else:
            raise ArgumentTypeError(
                f"layers[{index}]={layer!r}: expected a Layer or a tuple (kernel[, stride[, padding[, dilation]]])"
            )
    return checked


OPERATIONS = ("convolution", "transposed", "pooling")


def _check_operation(operation, d, output_padding) -> str:
    """The rules geometry and formula share: a known operation, no dilated pooling, output_padding only transposed."""
    check_choice("operation", operation, OPERATIONS)
    output_padding = check_int("output_padding", output_padding, minimum=0)
    if operation != "transposed" and output_padding:
        raise ValueError(f"output_padding={output_padding}: expected 0, it only applies to transposed convolutions")
    if operation == "pooling" and d != 1:
        raise ValueError(f"d={d!r}: expected 1, pooling windows are not dilated here")
    return operation


@dataclass(frozen=True)
class Geometry:
    """Where a kernel goes, along one axis, for drawing an operation on a square grid.

    A transposed convolution is drawn as Dumoulin and Visin draw it: a stride-1
    convolution over the input with ``s - 1`` zeros inserted between pixels and
    ``k_eff - 1 - p`` zeros around it.

    Attributes
    ----------
    cells : ndarray of int
        One code per grid position: 1 an input pixel, 0 padding, 2 an inserted zero.
    window_stride : int
        How far the window moves per output (1 for a transposed convolution).
    output_size : int
    """

    operation: str
    i: int
    k: int
    p: int
    s: int
    d: int
    output_padding: int
    cells: np.ndarray
    window_stride: int
    output_size: int

    def window(self, position: int) -> np.ndarray:
        """Grid positions the kernel covers for output `position`."""
        return position * self.window_stride + self.d * np.arange(self.k)


def geometry(operation: str, i: int, k: int, p: int = 0, s: int | None = None, d: int = 1,
             output_padding: int = 0) -> Geometry:
    """The grid and window positions of a convolution, transposed convolution or pooling.

    The stride ``s`` defaults to 1, and for pooling to the window size ``k`` (as in Keras
    and ``pool_output_size``).

    Examples
    --------
    >>> g = geometry("transposed", 2, 3, s=2)
    >>> g.cells.tolist(), g.output_size
    ([0, 0, 1, 2, 1, 0, 0], 5)
    >>> geometry("pooling", 6, 2).s  # pooling strides by its window unless told otherwise
    2
    """
    _check_operation(operation, d, output_padding)
    s = _default_stride(operation, s, k)
    i, k, p, s, d, output_padding = _one_axis(i=i, k=k, p=p, s=s, d=d, output_padding=output_padding)
    if operation == "transposed":
        out = transposed_output_size(i, k, p, s, output_padding, d)
        k_eff = effective_kernel(k, d)
        if p > k_eff - 1:
            raise ValueError(f"p={p}: expected at most k_eff - 1 = {k_eff - 1} (k={k}, d={d}) to draw it as a "
                             "direct convolution")
        # three int64 arrays of the stretched, bordered input
        check_memory(3 * ITEM * ((i - 1) * s + 2 * k_eff + output_padding), "geometry", operation=operation, i=i,
                     k=k, p=p, s=s, d=d, output_padding=output_padding)
        stretched = np.full((i - 1) * s + 1, 2)
        stretched[::s] = 1
        border = np.zeros(k_eff - 1 - p, dtype=int)
        cells = np.concatenate([border, stretched, border, np.zeros(output_padding, dtype=int)])
        return Geometry(operation, i, k, p, s, d, output_padding, cells, 1, out)
    out = conv_output_size(i, k, p, s, d)
    check_memory(3 * ITEM * (i + 2 * p), "geometry", operation=operation, i=i, k=k, p=p, s=s, d=d)
    cells = np.concatenate([np.zeros(p, dtype=int), np.ones(i, dtype=int), np.zeros(p, dtype=int)])
    return Geometry(operation, i, k, p, s, d, 0, cells, s, out)


def formula(operation: str, i: int, k: int, p: int = 0, s: int | None = None, d: int = 1,
            output_padding: int = 0) -> str:
    """The output-size formula with the numbers substituted, ending in its value.

    The stride defaults as in ``geometry``: 1, and the window size for pooling.

    Examples
    --------
    >>> formula("convolution", 5, 3, p=1, s=2)
    'o = floor((i + 2p - k - (k-1)(d-1)) / s) + 1 = floor((5 + 2·1 - 3 - 2·0) / 2) + 1 = 3'
    >>> formula("pooling", 5, 3)
    'o = floor((i + 2p - k) / s) + 1 = floor((5 + 2·0 - 3) / 3) + 1 = 1'
    """
    _check_operation(operation, d, output_padding)
    s = _default_stride(operation, s, k)
    i, k, p, s, d, output_padding = _one_axis(i=i, k=k, p=p, s=s, d=d, output_padding=output_padding)
    if operation == "convolution":
        value = conv_output_size(i, k, p, s, d)
        return (f"o = floor((i + 2p - k - (k-1)(d-1)) / s) + 1 = "
                f"floor(({i} + 2·{p} - {k} - {k - 1}·{d - 1}) / {s}) + 1 = {value}")
    if operation == "pooling":
        value = pool_output_size(i, k, s=s, p=p)
        return f"o = floor((i + 2p - k) / s) + 1 = floor(({i} + 2·{p} - {k}) / {s}) + 1 = {value}"
    value = transposed_output_size(i, k, p, s, output_padding, d)
    return (f"o = (i - 1)s - 2p + (k-1)d + output_padding + 1 = "
            f"({i} - 1)·{s} - 2·{p} + {k - 1}·{d} + {output_padding} + 1 = {value}")


def shape_table(input_shape, layers) -> list[tuple[str, tuple, int]]:
    """Output shape and parameter count of every layer of a channels-last stack.

    Parameters
    ----------
    input_shape : (h, w, c)
    layers : sequence of tuples
        ``("conv", filters, kernel[, stride[, padding]])``, ``("pool", size[, stride])``,
        ``("flatten",)``, ``("dropout",)`` or ``("dense", units)``; padding is
        ``"valid"`` (default) or ``"same"``, as in Keras.

    Returns
    -------
    list of (name, shape, parameters)

    Examples
    --------
    >>> for row in shape_table((28, 28, 1), [("conv", 32, 5, 1, "same"), ("pool", 2), ("flatten",), ("dense", 10)]):
    ...     print(row)
    ('conv 5x5x32', (28, 28, 32), 832)
    ('pool 2x2', (14, 14, 32), 0)
    ('flatten', (6272,), 0)
    ('dense 10', (10,), 62730)
    """
    shape, rows = check_shape("input_shape", input_shape, 3), []
    if not isinstance(layers, (tuple, list)):
        raise ArgumentTypeError(f"layers={layers!r}: expected a list of layer tuples such as ('conv', 32, 5)")
    arities = {"conv": (2, 4), "pool": (1, 2), "flatten": (0, 0), "dropout": (0, 1), "dense": (1, 1)}
    for index, spec in enumerate(layers):
        name = f"layers[{index}]"
        if not isinstance(spec, (tuple, list)) or not spec or not isinstance(spec[0], str) or spec[0] not in arities:
            raise ValueError(f"{name}={spec!r}: expected a tuple starting with one of {tuple(arities)}")
        kind, *args = spec
        low, high = arities[kind]
        if not low <= len(args) <= high:
            raise ValueError(f"{name}={spec!r}: expected {low} to {high} values after {kind!r}")
        if kind in ("conv", "pool") and len(shape) != 3:
            raise ValueError(f"{name} is {kind} but its input has shape {shape}: expected an (h, w, c) input, "
                             "before any flatten")
        if kind == "conv":
            filters, k, stride, padding = (list(args) + [1, "valid"][len(args) - 2 :])[:4]
            filters = check_int(f"{name} filters", filters, minimum=1)
            k = check_int(f"{name} kernel", k, minimum=1)
            stride = check_int(f"{name} stride", stride, minimum=1)
            h, w, c = shape
            if padding == "same":
                size = (-(-h // stride), -(-w // stride))
            elif padding == "valid":
                if k > min(h, w):
                    raise ValueError(f"{name} kernel={k} is larger than its {h}x{w} input (from "
                                     f"input_shape={input_shape!r}): expected a kernel that fits, or padding 'same'")
                size = conv_output_size((h, w), k, 0, stride)
            else:
                raise ValueError(f"{name} padding={padding!r}: expected 'valid' or 'same'")
            shape = (*size, filters)
            rows.append((f"conv {k}x{k}x{filters}", shape, conv_params(k, k, c, filters)))
        elif kind == "pool":
            size = check_int(f"{name} size", args[0], minimum=1)
            stride = check_int(f"{name} stride", args[1], minimum=1) if len(args) > 1 else size
            if size > min(shape[:2]):
                raise ValueError(f"{name} size={size} is larger than its {shape[0]}x{shape[1]} input (from "
                                 f"input_shape={input_shape!r}): expected a window that fits")
            shape = (*pool_output_size(shape[:2], size, s=stride), shape[2])
            rows.append((f"pool {size}x{size}", shape, 0))
        elif kind == "flatten":
            shape = (math.prod(shape),)
            rows.append(("flatten", shape, 0))
        elif kind == "dropout":
            rows.append(("dropout", shape, 0))
        else:
            units = check_int(f"{name} units", args[0], minimum=1)
            if len(shape) != 1:
                raise ValueError(f"{name} is dense but its input has shape {shape}: expected a flatten first")
            rows.append((f"dense {units}", (units,), dense_params(shape[0], units)))
            shape = (units,)
    return rows

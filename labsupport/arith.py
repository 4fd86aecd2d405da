"""Convolution arithmetic: output sizes, padding amounts, parameter counts, receptive fields.

Every relationship of Dumoulin and Visin's guide to convolution arithmetic is a
function here, for one axis; pass ``(rows, cols)`` pairs to get a pair back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .validation import check_int


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
    return n_in * n_out + (n_out if bias else 0)


def weights_per_neuron(input_shape: Sequence[int]) -> int:
    """Weights of one fully connected neuron that sees a whole input of this shape.

    Examples
    --------
    >>> weights_per_neuron((32, 32, 3))
    3072
    """
    sizes = [check_int(f"input_shape[{axis}]", size, minimum=1) for axis, size in enumerate(input_shape)]
    return dense_params(math.prod(sizes), 1, bias=False)


def mlp_params(layer_sizes: Sequence[int], bias: bool = True) -> int:
    """Parameters of a stack of dense layers with the given widths, input first.

    Examples
    --------
    >>> mlp_params([10**6, 10**4, 1])  # the audio network: about ten billion
    10000020001
    """
    if len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes={list(layer_sizes)!r}: expected at least an input and an output size")
    return sum(
        dense_params(n_in, n_out, bias) for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])
    )


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
    return kh * kw * c_in * c_out + (c_out if bias else 0)


def _pairwise(function):
    """Let a one-axis function take (rows, cols) pairs and return a pair."""

    def wrapper(*args, **kwargs):
        values = list(args) + list(kwargs.values())
        if not any(isinstance(value, (tuple, list)) for value in values):
            return function(*args, **kwargs)
        names = list(kwargs)

        def axis(value, index):
            if isinstance(value, (tuple, list)):
                if len(value) != 2:
                    raise ValueError(f"{value!r}: expected an integer or a (rows, cols) pair")
                return value[index]
            return value

        return tuple(
            function(*(axis(a, index) for a in args), **{n: axis(kwargs[n], index) for n in names})
            for index in (0, 1)
        )

    wrapper.__name__, wrapper.__doc__, wrapper.__wrapped__ = function.__name__, function.__doc__, function
    return wrapper


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


@_pairwise
def pool_output_size(i: int, k: int, s: int | None = None, p: int = 0) -> int:
    """Output size of pooling: ``floor((i + 2p - k) / s) + 1``, the stride defaulting to the window.

    Examples
    --------
    >>> pool_output_size(28, 2)
    14
    >>> pool_output_size(7, 2)  # the last row is dropped
    3
    """
    k = check_int("k", k, minimum=1)
    s = k if s is None else check_int("s", s, minimum=1)
    return conv_output_size(i, k, p, s)


@_pairwise
def transposed_output_size(i: int, k: int, p: int = 0, s: int = 1, output_padding: int = 0, d: int = 1) -> int:
    """Output size of a transposed convolution: ``(i - 1)s - 2p + (k - 1)d + output_padding + 1``.

    It inverts :func:`conv_output_size`: a convolution with these arguments maps
    the result back to `i`. Several input sizes share one convolution output when
    ``s > 1``; ``output_padding`` (``0 <= output_padding < s``) picks which.

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
    if output_padding >= max(s, d):
        raise ValueError(f"output_padding={output_padding}: expected less than the stride {s} (or the dilation {d})")
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
    """
    out = conv_output_size(i, k, p, s, d)
    touched = {start * s + tap * d - p for start in range(out) for tap in range(k)}
    return [position for position in range(i) if position not in touched]


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
    for index, layer in enumerate(layers):
        layer = layer if isinstance(layer, Layer) else Layer(*layer)
        k_eff = effective_kernel(layer.kernel, layer.dilation)
        stride = check_int(f"layers[{index}].stride", layer.stride, minimum=1)
        padding = check_int(f"layers[{index}].padding", layer.padding, minimum=0)
        size += (k_eff - 1) * jump
        start += ((k_eff - 1) / 2 - padding) * jump
        jump *= stride
    return ReceptiveField(size, jump, start)


OPERATIONS = ("convolution", "transposed", "pooling")


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


def geometry(operation: str, i: int, k: int, p: int = 0, s: int = 1, d: int = 1, output_padding: int = 0) -> Geometry:
    """The grid and window positions of a convolution, transposed convolution or pooling.

    Examples
    --------
    >>> g = geometry("transposed", 2, 3, s=2)
    >>> g.cells.tolist(), g.output_size
    ([0, 0, 1, 2, 1, 0, 0], 5)
    """
    if operation not in OPERATIONS:
        raise ValueError(f"operation={operation!r}: expected one of {OPERATIONS}")
    if operation == "transposed":
        out = transposed_output_size(i, k, p, s, output_padding, d)
        k_eff = effective_kernel(k, d)
        if p > k_eff - 1:
            raise ValueError(f"p={p}: expected at most k_eff - 1 = {k_eff - 1} to draw it as a direct convolution")
        stretched = np.full((i - 1) * s + 1, 2)
        stretched[::s] = 1
        border = np.zeros(k_eff - 1 - p, dtype=int)
        cells = np.concatenate([border, stretched, border, np.zeros(output_padding, dtype=int)])
        return Geometry(operation, i, k, p, s, d, output_padding, cells, 1, out)
    if output_padding:
        raise ValueError(f"output_padding={output_padding}: expected 0, it only applies to transposed convolutions")
    if operation == "pooling":
        out = conv_output_size(i, k, p, s)
        if d != 1:
            raise ValueError(f"d={d}: expected 1, pooling windows are not dilated here")
    else:
        out = conv_output_size(i, k, p, s, d)
    cells = np.concatenate([np.zeros(p, dtype=int), np.ones(i, dtype=int), np.zeros(p, dtype=int)])
    return Geometry(operation, i, k, p, s, d, 0, cells, s, out)


def formula(operation: str, i: int, k: int, p: int = 0, s: int = 1, d: int = 1, output_padding: int = 0) -> str:
    """The output-size formula with the numbers substituted, ending in its value.

    Examples
    --------
    >>> formula("convolution", 5, 3, p=1, s=2)
    'o = floor((i + 2p - k - (k-1)(d-1)) / s) + 1 = floor((5 + 2·1 - 3 - 2·0) / 2) + 1 = 3'
    """
    if operation == "convolution":
        value = conv_output_size(i, k, p, s, d)
        return (f"o = floor((i + 2p - k - (k-1)(d-1)) / s) + 1 = "
                f"floor(({i} + 2·{p} - {k} - {k - 1}·{d - 1}) / {s}) + 1 = {value}")
    if operation == "pooling":
        value = pool_output_size(i, k, s, p)
        return f"o = floor((i + 2p - k) / s) + 1 = floor(({i} + 2·{p} - {k}) / {s}) + 1 = {value}"
    if operation == "transposed":
        value = transposed_output_size(i, k, p, s, output_padding, d)
        return (f"o = (i - 1)s - 2p + (k-1)d + output_padding + 1 = "
                f"({i} - 1)·{s} - 2·{p} + {k - 1}·{d} + {output_padding} + 1 = {value}")
    raise ValueError(f"operation={operation!r}: expected one of {OPERATIONS}")


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
    shape, rows = tuple(input_shape), []
    for index, spec in enumerate(layers):
        kind, *args = spec
        if kind == "conv":
            filters, k, stride, padding = (list(args) + [1, "valid"][len(args) - 2 :])[:4]
            h, w, c = shape
            if padding == "same":
                size = (-(-h // stride), -(-w // stride))
            elif padding == "valid":
                size = conv_output_size((h, w), k, 0, stride)
            else:
                raise ValueError(f"layers[{index}] padding={padding!r}: expected 'valid' or 'same'")
            shape = (*size, filters)
            rows.append((f"conv {k}x{k}x{filters}", shape, conv_params(k, k, c, filters)))
        elif kind == "pool":
            size, stride = args[0], (args[1] if len(args) > 1 else args[0])
            shape = (*pool_output_size(shape[:2], size, stride), shape[2])
            rows.append((f"pool {size}x{size}", shape, 0))
        elif kind == "flatten":
            shape = (math.prod(shape),)
            rows.append(("flatten", shape, 0))
        elif kind == "dropout":
            rows.append(("dropout", shape, 0))
        elif kind == "dense":
            if len(shape) != 1:
                raise ValueError(f"layers[{index}] is dense but its input has shape {shape}: expected a flatten first")
            rows.append((f"dense {args[0]}", (args[0],), dense_params(shape[0], args[0])))
            shape = (args[0],)
        else:
            raise ValueError(f"layers[{index}]={spec!r}: expected conv, pool, flatten, dropout or dense")
    return rows

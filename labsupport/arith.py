"""Counting: parameters of dense and convolutional layers."""

from __future__ import annotations

import math
from collections.abc import Sequence

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

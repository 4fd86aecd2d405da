"""The sliding window, one step at a time: what the animations and widgets show."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .conv import output_shape, pad, resolve_padding
from .validation import ITEM, ArgumentTypeError, check_array, check_choice, check_loops, check_memory, check_pair

OPERATIONS = ("correlate", "convolve")


@dataclass(frozen=True)
class WindowStep:
    """One position of the kernel: which input cells it covers and what they sum to.

    Attributes
    ----------
    out_index : (int, int)
        The output cell this step computes.
    rows, cols : ndarray of int
        Indices into the *padded* input of the cells the kernel touches.
    patch : ndarray
        The input values under the kernel.
    weights : ndarray
        The kernel as applied (flipped for a convolution).
    """

    out_index: tuple[int, int]
    rows: np.ndarray
    cols: np.ndarray
    patch: np.ndarray
    weights: np.ndarray

    @property
    def products(self) -> np.ndarray:
        """Patch times kernel, elementwise."""
        return self.patch * self.weights

    @property
    def total(self) -> float:
        """The output value: the sum of the products."""
        return float(self.products.sum())


@dataclass(frozen=True)
class Sliding:
    """Every step of a 2-D correlation or convolution.

    Attributes
    ----------
    padded : ndarray
        The input with its zero padding.
    pads : ((int, int), (int, int))
        Zeros added (top, bottom), (left, right).
    kernel : ndarray
        The kernel as it is applied: flipped for a convolution.
    operation : {"correlate", "convolve"}
    steps : tuple of WindowStep
        In reading order, row by row.
    output : ndarray
        The result, ``steps[i].total`` laid out on the output grid.
    """

    padded: np.ndarray
    pads: tuple
    kernel: np.ndarray
    operation: str
    steps: tuple
    output: np.ndarray


def slide(x, k, padding="valid", stride=1, dilation=1, operation="correlate") -> Sliding:
    """Record every step of ``correlate2d`` (or ``convolve2d``) of `x` with `k`.

    Arguments as for :func:`labsupport.conv.correlate2d`, and the results agree.

    Examples
    --------
    >>> s = slide(np.arange(1, 10).reshape(3, 3), [[1, 2], [3, 4]])
    >>> [step.total for step in s.steps]
    [37.0, 47.0, 67.0, 77.0]
    >>> equation(s.steps[0])
    '1·1 + 2·2 + 4·3 + 5·4 = 37'
    """
    check_choice("operation", operation, OPERATIONS)
    x = check_array("x", x, ndim=2)
    k = check_array("k", k, ndim=2)
    kernel = k if operation == "correlate" else k[::-1, ::-1]
    pads, k_eff = resolve_padding(padding, x.shape, k.shape, stride, dilation, operation == "correlate", ("x", "k"))
    (sh, sw), (dh, dw) = check_pair("stride", stride, 1), check_pair("dilation", dilation, 1)
    out_h, out_w = output_shape(x.shape, k_eff, pads, (sh, sw))
    padded_hw = [n + sum(p) for n, p in zip(x.shape, pads)]
    # every step keeps its patch and indices, and a few hundred bytes of Python objects
    request = dict(x=x, k=k, padding=padding, stride=stride, dilation=dilation)
    check_memory(ITEM * padded_hw[0] * padded_hw[1] + out_h * out_w * (3 * ITEM * k.size + 600), "slide", **request)
    check_loops(out_h * out_w, "slide", **request)
    # a stride over one output, or a dilation of a one-tap kernel, moves nothing: keep them int64-sized
    (sh, sw), (dh, dw) = (min(sh, padded_hw[0]), min(sw, padded_hw[1])), (min(dh, padded_hw[0]), min(dw, padded_hw[1]))
    padded = pad(x, pads)
    steps = []
    for i in range(out_h):
        for j in range(out_w):
            rows = i * sh + dh * np.arange(kernel.shape[0])
            cols = j * sw + dw * np.arange(kernel.shape[1])
            steps.append(WindowStep((i, j), rows, cols, padded[np.ix_(rows, cols)], kernel))
    output = np.array([step.total for step in steps]).reshape(out_h, out_w)
    return Sliding(padded, pads, kernel, operation, tuple(steps), output)


def equation(step: WindowStep) -> str:
    """The step's sum written out term by term.

    Examples
    --------
    >>> step = WindowStep((0, 0), np.arange(2), np.arange(1), np.array([[2.0], [3.0]]), np.array([[1.0], [-1.0]]))
    >>> equation(step)
    '2·1 + 3·(-1) = -1'
    """
    if not isinstance(step, WindowStep):
        raise ArgumentTypeError(f"step={type(step).__name__}: expected a WindowStep, one of slide(...).steps")

    def number(value):
        text = f"{value:g}"
        return f"({text})" if value < 0 else text

    terms = [f"{number(a)}·{number(b)}" for a, b in zip(step.patch.ravel(), step.weights.ravel())]
    return " + ".join(terms) + f" = {step.total:g}"

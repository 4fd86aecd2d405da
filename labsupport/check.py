"""Self-checks for exercises: "right", or what is wrong and why.

Each function takes the learner's answer and the question's numbers, and returns a
:class:`Verdict` that is true when the answer is right and that explains the most
likely mistake when it is not.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from fractions import Fraction

from . import arith
from .validation import ArgumentTypeError


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check. Truthy when right; ``message`` says why either way."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        return ("✅ " if self.correct else "❌ ") + self.message


def _check_answer(answer):
    """The learner's answer must be a number (an int, a float, a fraction; not a bool or a string)."""
    if not isinstance(answer, numbers.Real) or isinstance(answer, bool):
        raise ArgumentTypeError(f"answer={answer!r}: expected a number")
    return answer


def _verdict(answer, expected, mistakes, formula: str) -> Verdict:
    if answer == expected:
        return Verdict(True, f"Right: {expected}.")
    for wrong, explanation in mistakes:
        if wrong is not None and answer == wrong and wrong != expected:
            return Verdict(False, f"Not {answer}: {explanation} The formula is {formula}.")
    return Verdict(False, f"Not {answer}. Work it out again from {formula}.")


def output_size(answer, i: int, k: int, p: int = 0, s: int = 1, d: int = 1) -> Verdict:
    """Check an answer for a convolution's output size.

    Examples
    --------
    >>> bool(output_size(3, i=5, k=3, p=1, s=2))
    True
    >>> print(output_size(3.5, i=6, k=3, p=1, s=2))
    Not 3.5: a partial window produces no output, so the division is rounded down (floor). The formula is floor((i + 2p - k - (k-1)(d-1)) / s) + 1.
    """
    _check_answer(answer)
    i, k, p, s, d = arith._one_axis(i=i, k=k, p=p, s=s, d=d)
    expected = arith.conv_output_size(i, k, p, s, d)
    k_eff = arith.effective_kernel(k, d)
    # exact fractions: a float division overflows for the huge sizes the arithmetic itself accepts
    mistakes = [
        (Fraction(i + 2 * p - k_eff, s) + 1, "a partial window produces no output, so the division is rounded down (floor)."),
        (-(-(i + 2 * p - k_eff) // s) + 1, "rounding up counts a window that sticks out of the input; round down."),
        ((i + p - k_eff) // s + 1, "the padding p goes on both sides, so the input grows by 2p."),
        ((i + 2 * p - k) // s + 1 if d > 1 else None,
         f"a dilated kernel spans k + (k-1)(d-1) = {k_eff} pixels, not k = {k}."),
        ((i + 2 * p - k_eff) // s, "the first window position also produces an output: add 1."),
        ((i + 2 * p - k_eff) + 1 if s > 1 else None, f"with stride {s} only every {s}-th position is computed."),
    ]
    return _verdict(answer, expected, mistakes, "floor((i + 2p - k - (k-1)(d-1)) / s) + 1")


def transposed_output_size(answer, i: int, k: int, p: int = 0, s: int = 1, output_padding: int = 0, d: int = 1) -> Verdict:
    """Check an answer for a transposed convolution's output size.

    Examples
    --------
    >>> print(transposed_output_size(7, i=3, k=3, p=1, s=2))
    Not 7: padding p removes 2p outputs of a transposed convolution. The formula is (i - 1)s - 2p + (k-1)d + output_padding + 1.
    """
    _check_answer(answer)
    i, k, p, s, output_padding, d = arith._one_axis(i=i, k=k, p=p, s=s, output_padding=output_padding, d=d)
    expected = arith.transposed_output_size(i, k, p, s, output_padding, d)
    k_eff = arith.effective_kernel(k, d)
    mistakes = [
        ((i - 1) * s + k_eff + output_padding, "padding p removes 2p outputs of a transposed convolution."),
        ((i - 1) * s + 2 * p + k_eff + output_padding, "in the transposed direction padding removes outputs instead of adding them."),
        (i * s - 2 * p + k_eff + output_padding if s > 1 else None, "there are i - 1 gaps of s between i inputs, so (i - 1)s."),
        (i * s,
         "i·s is what Keras' Conv2DTranspose(padding='same') returns, because it picks output_padding "
         "for you; with the output_padding given here the size differs."),
        (arith.conv_output_size(i, k, p, s, d) if k_eff <= i + 2 * p else None,
         "that is the ordinary convolution; the transposed one goes the other way and grows the input."),
    ]
    return _verdict(answer, expected, mistakes, "(i - 1)s - 2p + (k-1)d + output_padding + 1")


def params(answer, kh: int, kw: int, c_in: int, c_out: int, bias: bool = True) -> Verdict:
    """Check an answer for a convolution layer's parameter count.

    Examples
    --------
    >>> print(params(864, 3, 3, 3, 32))
    Not 864: each of the 32 filters also has one bias. The formula is (kh·kw·c_in)·c_out + c_out.
    """
    _check_answer(answer)
    expected = arith.conv_params(kh, kw, c_in, c_out, bias)
    weights = kh * kw * c_in * c_out
    mistakes = [
        (weights if bias else None, f"each of the {c_out} filters also has one bias."),
        (weights + c_out if not bias else None, "this layer has no bias."),
        (kh * kw * c_out + (c_out if bias else 0), f"each filter spans all {c_in} input channels."),
        (weights + weights if bias else None, "there is one bias per filter, not one per weight."),
        (kh * kw * c_in + (1 if bias else 0), f"that is one filter; the layer has {c_out}."),
    ]
    formula = "(kh·kw·c_in)·c_out + c_out" if bias else "(kh·kw·c_in)·c_out"
    return _verdict(answer, expected, mistakes, formula)


def same_padding(answer, i: int, k: int, s: int = 1, d: int = 1) -> Verdict:
    """Check a (before, after) answer for Keras' "same" padding.

    Examples
    --------
    >>> print(same_padding((1, 0), i=6, k=3, s=2))
    Not (1, 0): Keras puts the odd zero after (bottom/right), not before. The formula is total = max((ceil(i/s) - 1)s + k_eff - i, 0), split as (total // 2, total - total // 2).
    """
    i, k, s, d = arith._one_axis(i=i, k=k, s=s, d=d)
    expected = arith.same_padding(i, k, s, d)
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        raise ArgumentTypeError(f"answer={answer!r}: expected a (before, after) pair of numbers")
    answer = tuple(_check_answer(value) for value in answer)
    total = sum(expected)
    mistakes = [
        ((expected[1], expected[0]) if expected[0] != expected[1] else None,
         "Keras puts the odd zero after (bottom/right), not before."),
        ((total, total), "the total is split between the two sides, not added to each."),
        ((arith.effective_kernel(k, d) // 2,) * 2, "with a stride the total depends on i and s, not only on k."),
    ]
    return _verdict(answer, expected, mistakes,
                    "total = max((ceil(i/s) - 1)s + k_eff - i, 0), split as (total // 2, total - total // 2)")


def receptive_field_size(answer, layers) -> Verdict:
    """Check an answer for the receptive field size of a stack of layers.

    Examples
    --------
    >>> print(receptive_field_size(5, [(3, 2), (3, 1)]))
    Not 5: a layer after a stride-s layer moves s input pixels per step, so its kernel adds (k - 1)·jump. The formula is size += (k_eff - 1)·jump, jump *= stride, layer by layer.
    """
    _check_answer(answer)
    expected = arith.receptive_field(layers).size
    layers = [layer if isinstance(layer, arith.Layer) else arith.Layer(*layer) for layer in layers]
    ignoring_strides = 1 + sum(arith.effective_kernel(l.kernel, l.dilation) - 1 for l in layers)
    mistakes = [
        (ignoring_strides, "a layer after a stride-s layer moves s input pixels per step, so its kernel adds (k - 1)·jump."),
        (max((l.kernel for l in layers), default=None), "the fields of stacked layers grow; they do not stay at the largest kernel."),
    ]
    return _verdict(answer, expected, mistakes, "size += (k_eff - 1)·jump, jump *= stride, layer by layer")

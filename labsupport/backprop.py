"""Backpropagation through a convolution layer: the gradients of :func:`conv.conv2d`.

For ``y = conv2d(x, w, b, stride, padding, dilation)`` (NHWC input, HWIO kernel)
and the gradient ``dy = dL/dy`` of some loss ``L``, the chain rule gives three
gradients, each a convolution again:

* ``dL/dx``: ``dy`` with ``stride - 1`` zeros between its entries, fully
  correlated with the kernel flipped in both spatial axes and with its in and
  out channels swapped. That is the *transposed convolution*, the map ``M.T``
  of chapter 3's Toeplitz matrix ``M``.
* ``dL/dW``: the (padded) input correlated with ``dy``: ``dy`` plays the
  kernel, and stride and dilation swap roles.
* ``dL/db``: ``dy`` summed over the batch and every position.

Every function is vectorised (:func:`conv.conv2d` does the sums) and is
checked in ``tests/test_backprop.py`` against ``tf.GradientTape`` and against
centred finite differences.
"""

from __future__ import annotations

import math

import numpy as np

from .conv import conv2d, output_shape, resolve_padding
from .validation import ITEM, check_array, check_int, check_memory, check_pair


def _check_shape(name, shape, length):
    if not isinstance(shape, (tuple, list)) or len(shape) != length:
        raise ValueError(f"{name}={shape!r}: expected a tuple of {length} integers")
    return tuple(check_int(f"{name}[{i}]", n, minimum=1) for i, n in enumerate(shape))


def _check_dy(dy, input_hw, kernel_hw, c_out, stride, padding, dilation):
    """`dy` as a 4-D array, if it has the shape the forward pass gives."""
    dy = check_array("dy", dy, ndim=4)
    pads, k_eff = resolve_padding(padding, input_hw, kernel_hw, stride, dilation)
    out_hw = output_shape(input_hw, k_eff, pads, stride)
    if dy.shape[1:] != (*out_hw, c_out):
        raise ValueError(
            f"dy has shape {dy.shape}: expected (batch, {out_hw[0]}, {out_hw[1]}, "
            f"{c_out}), the output of the forward convolution of a "
            f"{input_hw[0]}x{input_hw[1]} input with a "
            f"{kernel_hw[0]}x{kernel_hw[1]}x{c_out}-output kernel "
            f"(padding={padding!r}, stride={stride!r}, dilation={dilation!r})"
        )
    return dy, pads


def _spread(dy, stride):
    """`dy` with ``stride - 1`` zeros between neighbouring rows and columns."""
    sh, sw = stride
    batch, h, w, c = dy.shape
    spread = np.zeros((batch, (h - 1) * sh + 1, (w - 1) * sw + 1, c))
    spread[:, ::sh, ::sw, :] = dy
    return spread


def conv2d_input_grad(dy, w, input_shape, stride=1, padding="valid", dilation=1):
    """Gradient of the loss with respect to the input of :func:`conv.conv2d`.

    ``dx = full correlation of spread(dy) with flip(w)``, channels swapped, then
    cut to the input: the transposed convolution.

    Parameters
    ----------
    dy : array_like, shape (batch, out_h, out_w, out_channels)
        ``dL/dy``, shaped as the forward output.
    w : array_like, shape (kh, kw, in_channels, out_channels)
        The kernel of the forward pass (HWIO).
    input_shape : tuple of 4 ints
        ``(batch, height, width, in_channels)`` of the forward input.
    stride, padding, dilation
        As given to :func:`conv.conv2d`.

    Returns
    -------
    ndarray, shape `input_shape`

    Raises
    ------
    ValueError
        If `input_shape` is not 4 positive ints, `w` is not 4-D, channels or
        batch disagree, `dy` is not shaped as the forward output, or padding,
        stride or dilation are invalid.

    Examples
    --------
    >>> dy = np.ones((1, 2, 2, 1)); w = np.arange(4.0).reshape(2, 2, 1, 1)
    >>> conv2d_input_grad(dy, w, (1, 3, 3, 1))[0, :, :, 0].tolist()
    [[0.0, 1.0, 1.0], [2.0, 6.0, 4.0], [2.0, 5.0, 3.0]]
    """
    batch, h, w_in, c_in = _check_shape("input_shape", input_shape, 4)
    w = check_array("w", w, ndim=4)
    if w.shape[2] != c_in:
        raise ValueError(
            f"w has shape {w.shape} (HWIO) but input_shape={tuple(input_shape)} has "
            f"{c_in} channels: expected w.shape[2] == input_shape[3]"
        )
    stride = check_pair("stride", stride, minimum=1)
    dy, pads = _check_dy(
        dy, (h, w_in), w.shape[:2], w.shape[3], stride, padding, dilation
    )
    if dy.shape[0] != batch:
        raise ValueError(
            f"dy has batch {dy.shape[0]}: expected input_shape[0] = {batch}"
        )
    # the spread dy, the padded gradient and the gradient, before conv2d checks its own
    (top, bottom), (left, right) = pads
    spread = ((dy.shape[1] - 1) * stride[0] + 1) * ((dy.shape[2] - 1) * stride[1] + 1)
    padded = (top + h + bottom) * (left + w_in + right)
    check_memory(
        ITEM * batch * (spread * w.shape[3] + 2 * padded * c_in),
        "conv2d_input_grad", dy=dy, w=w, input_shape=input_shape, stride=stride,
        padding=padding, dilation=dilation,
    )
    flipped = w[::-1, ::-1].transpose(0, 1, 3, 2)  # (kh, kw, out, in)
    dx_padded = conv2d(_spread(dy, stride), flipped, padding="full", dilation=dilation)
    # Rows and columns the last window never reached (floor in the output size)
    # get no gradient: pad them with zeros, then drop the forward pass's padding.
    (top, bottom), (left, right) = pads
    missing_h = top + h + bottom - dx_padded.shape[1]
    missing_w = left + w_in + right - dx_padded.shape[2]
    dx_padded = np.pad(dx_padded, ((0, 0), (0, missing_h), (0, missing_w), (0, 0)))
    return dx_padded[:, top : top + h, left : left + w_in, :]


def conv2d_weight_grad(x, dy, kernel_shape, stride=1, padding="valid", dilation=1):
    """Gradient of the loss with respect to the kernel of :func:`conv.conv2d`.

    ``dW[m, p, c, o] = sum_{n, i, j} xp[n, i*s + m*d, j*s + p*d, c] dy[n, i, j, o]``:
    the padded input correlated with `dy`, one image per channel pair, where
    `dy` is the kernel, the forward stride becomes its dilation and the forward
    dilation becomes the stride.

    Parameters
    ----------
    x : array_like, shape (batch, height, width, in_channels)
        The forward input.
    dy : array_like, shape (batch, out_h, out_w, out_channels)
        ``dL/dy``, shaped as the forward output.
    kernel_shape : tuple of 4 ints
        ``(kh, kw, in_channels, out_channels)``.
    stride, padding, dilation
        As given to :func:`conv.conv2d`.

    Returns
    -------
    ndarray, shape `kernel_shape`

    Raises
    ------
    ValueError
        If `kernel_shape` is not 4 positive ints, `x` is not 4-D, channels or
        batch disagree, `dy` is not shaped as the forward output, or padding,
        stride or dilation are invalid.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 3, 3, 1); dy = np.ones((1, 2, 2, 1))
    >>> conv2d_weight_grad(x, dy, (2, 2, 1, 1))[:, :, 0, 0].tolist()
    [[8.0, 12.0], [20.0, 24.0]]
    """
    kh, kw, c_in, c_out = _check_shape("kernel_shape", kernel_shape, 4)
    x = check_array("x", x, ndim=4)
    if x.shape[3] != c_in:
        raise ValueError(
            f"x has shape {x.shape} (NHWC) but kernel_shape={tuple(kernel_shape)} "
            f"expects {c_in} channels: expected x.shape[3] == kernel_shape[2]"
        )
    stride = check_pair("stride", stride, minimum=1)
    dilation = check_pair("dilation", dilation, minimum=1)
    dy, pads = _check_dy(dy, x.shape[1:3], (kh, kw), c_out, stride, padding, dilation)
    if dy.shape[0] != x.shape[0]:
        raise ValueError(
            f"dy has batch {dy.shape[0]}: expected x's batch, {x.shape[0]}"
        )
    padded = x.shape[0] * x.shape[3] * math.prod(n + sum(p) for n, p in zip(x.shape[1:3], pads))
    check_memory(
        2 * ITEM * padded, "conv2d_weight_grad", x=x, dy=dy, kernel_shape=kernel_shape,
        stride=stride, padding=padding, dilation=dilation,
    )
    xp = np.pad(x, ((0, 0), *pads, (0, 0)))
    # Batch and channels swap places: the batch is summed over, like channels are.
    images, kernel = xp.transpose(3, 1, 2, 0), dy.transpose(1, 2, 0, 3)
    grad = conv2d(images, kernel, stride=dilation, dilation=stride)
    # grad: (in_channels, >= kh, >= kw, out_channels); positions past the kernel
    # are windows the forward pass never used.
    return grad[:, :kh, :kw, :].transpose(1, 2, 0, 3)


def conv2d_bias_grad(dy):
    """Gradient of the loss with respect to the bias: `dy` summed over all but channels.

    Parameters
    ----------
    dy : array_like, shape (batch, out_h, out_w, out_channels)

    Returns
    -------
    ndarray, shape (out_channels,)

    Raises
    ------
    ValueError
        If `dy` is not a 4-D array of numbers.

    Examples
    --------
    >>> conv2d_bias_grad(np.ones((2, 3, 3, 4))).tolist()
    [18.0, 18.0, 18.0, 18.0]
    """
    return check_array("dy", dy, ndim=4).sum(axis=(0, 1, 2))


__all__ = ["conv2d_bias_grad", "conv2d_input_grad", "conv2d_weight_grad"]

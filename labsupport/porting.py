"""Moving a network between PyTorch's conventions and Keras'.

PyTorch stores images channels-first (N, C, H, W) and Keras channels-last
(N, H, W, C). A convolution does not care, but flattening does: ``x.view(n, -1)``
on an NCHW tensor lists a pixel's channels 49 values apart (channel-major),
while Keras' ``Flatten`` on NHWC lists them side by side. The dense layer after
the flatten therefore sees its inputs in another order, and its weights must be
reordered to match.
"""

from __future__ import annotations

import numpy as np

from .validation import check_int

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # torchvision's Normalize((0.1307,), (0.3081,))


def nchw_dense_to_nhwc(weight: np.ndarray, channels: int, height: int,
                       width: int) -> np.ndarray:
    """A PyTorch ``nn.Linear`` weight after an NCHW flatten, as a Keras ``Dense`` kernel.

    Parameters
    ----------
    weight : ndarray, shape (units, channels * height * width)
        PyTorch's layout: one row per output unit, inputs in (c, h, w) order.
    channels, height, width : int
        The shape of the feature map that was flattened.

    Returns
    -------
    ndarray, shape (height * width * channels, units)
        Keras' layout: one column per unit, inputs in (h, w, c) order, so that
        ``flatten_nhwc(x) @ kernel == flatten_nchw(x) @ weight.T``.

    Raises
    ------
    ValueError
        If `weight` is not 2-D or its second axis is not channels x height x width.

    Examples
    --------
    >>> weight = np.arange(8.0).reshape(1, 8)          # 1 unit, 2 channels of 2x2
    >>> nchw_dense_to_nhwc(weight, 2, 2, 2)[:, 0].tolist()
    [0.0, 4.0, 1.0, 5.0, 2.0, 6.0, 3.0, 7.0]
    """
    channels = check_int("channels", channels, minimum=1)
    height = check_int("height", height, minimum=1)
    width = check_int("width", width, minimum=1)
    weight = np.asarray(weight)
    size = channels * height * width
    if weight.ndim != 2 or weight.shape[1] != size:
        raise ValueError(
            f"weight has shape {weight.shape}: expected (units, {size}), the inputs "
            f"of a {channels}x{height}x{width} feature map flattened channel-first")
    units = weight.shape[0]
    by_position = weight.reshape(units, channels, height, width).transpose(0, 2, 3, 1)
    return by_position.reshape(units, size).T

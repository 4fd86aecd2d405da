"""How much arithmetic a network's training step does, counted from its layers.

A multiply-add counts as two floating-point operations. A convolution producing an
H x W x C_out map from C_in channels with a k_h x k_w kernel does
2 * H * W * C_out * k_h * k_w * C_in of them (plus one addition per output for the
bias); a dense layer from n to m units, 2 * n * m + m. Pooling, activations,
normalisation and dropout do one or a few operations per value, negligible beside
these, and are not counted. A training step costs about three forward passes: the
forward pass itself, and a backward pass that computes two products of the same size
per layer (the gradient with respect to the layer's input and to its weights).
"""

from __future__ import annotations

import math

BACKWARD_FACTOR = 3  # forward + gradient w.r.t. inputs + gradient w.r.t. weights


def layer_flops(layer) -> int:
    """Forward floating-point operations of one Keras layer, for one image.

    Conv2D and Dense layers are counted (multiply-adds twice, bias adds once); every
    other layer counts as 0.

    Examples
    --------
    >>> import keras
    >>> dense = keras.layers.Dense(10)
    >>> dense.build((None, 120))
    >>> layer_flops(dense)  # 2 * 120 * 10 multiply-adds, 10 bias adds
    2410
    """
    import keras

    if isinstance(layer, keras.layers.Conv2D):
        _, height, width, out_channels = layer.output.shape
        kernel_height, kernel_width, in_channels_per_group, _ = layer.kernel.shape
        per_output = 2 * kernel_height * kernel_width * in_channels_per_group
        bias = 1 if layer.use_bias else 0
        return int(height * width * out_channels * (per_output + bias))
    if isinstance(layer, keras.layers.Dense):
        inputs, units = layer.kernel.shape
        return int(2 * inputs * units + (units if layer.use_bias else 0))
    return 0


def forward_flops(model) -> int:
    """Forward floating-point operations of a Keras model for one image.

    Nested models (a block inside a model) are counted layer by layer.
    """
    total = 0
    for layer in model.layers:
        if hasattr(layer, "layers"):
            total += forward_flops(layer)
        else:
            total += layer_flops(layer)
    return total


def training_flops(model) -> int:
    """Floating-point operations of one training step, per image (about 3 forward passes)."""
    return BACKWARD_FACTOR * forward_flops(model)


def matmul_flops(n: int) -> int:
    """Operations of an n x n by n x n matrix product: n^2 outputs of n multiply-adds."""
    return 2 * n**3


def gflops_per_second(flops: float, seconds: float) -> float:
    """Achieved GFLOP/s."""
    if not seconds > 0 or math.isinf(seconds):
        raise ValueError(f"seconds={seconds!r}: expected a positive, finite time")
    return flops / seconds / 1e9

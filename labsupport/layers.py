"""A convolution layer from scratch: what ``keras.layers.Conv2D`` computes, both ways.

The forward pass is :func:`conv.conv2d` followed by an elementwise activation;
the backward pass is the chain rule through the activation, then the three
gradients of :mod:`backprop`. ``tests/test_layers.py`` holds it equal to Keras'
``Conv2D`` (outputs) and to ``tf.GradientTape`` (gradients).
"""

from __future__ import annotations

import numpy as np

from . import activations
from .backprop import conv2d_bias_grad, conv2d_input_grad, conv2d_weight_grad
from .conv import conv2d, output_shape, resolve_padding
from .validation import check_array, check_pair

# Keras' names; "linear" is the identity (Keras' default, activation=None)
ACTIVATION_NAMES = ("linear", "relu", "sigmoid", "tanh")
PADDINGS = ("valid", "same")


def relu_derivative(z):
    """``1`` where ``z > 0``, else ``0`` (TensorFlow's choice at 0).

    Examples
    --------
    >>> relu_derivative(np.array([-1.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    return (np.asarray(z, dtype=float) > 0) * 1.0


def sigmoid_derivative(z):
    """``sigmoid(z) * (1 - sigmoid(z))``, at most 1/4 (at ``z = 0``).

    Examples
    --------
    >>> sigmoid_derivative(np.array([0.0])).tolist()
    [0.25]
    """
    s = activations.sigmoid(z)
    return s * (1.0 - s)


def tanh_derivative(z):
    """``1 - tanh(z)**2``, at most 1 (at ``z = 0``).

    Examples
    --------
    >>> tanh_derivative(np.array([0.0])).tolist()
    [1.0]
    """
    return 1.0 - np.tanh(z) ** 2


def leaky_relu_derivative(z, alpha: float = 0.01):
    """``1`` where ``z > 0``, else ``alpha``.

    Examples
    --------
    >>> leaky_relu_derivative(np.array([-2.0, 3.0])).tolist()
    [0.01, 1.0]
    """
    activations.leaky_relu(0.0, alpha)  # the same check of alpha
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, alpha)


def _identity(z):
    return np.asarray(z, dtype=float)


def _one(z):
    return np.ones_like(np.asarray(z, dtype=float))


# the factor the backward pass multiplies in, for each of activations.ACTIVATIONS
DERIVATIVES = {
    "relu": relu_derivative,
    "sigmoid": sigmoid_derivative,
    "tanh": tanh_derivative,
    "leaky_relu": leaky_relu_derivative,
}


class Conv2DLayer:
    """A 2-D convolution layer: ``a = activation(conv2d(x, kernel) + bias)``.

    Parameters
    ----------
    kernel : array_like, shape (kh, kw, in_channels, out_channels)
        HWIO, the layout of Keras' ``Conv2D.kernel``.
    bias : array_like, shape (out_channels,), optional
        Zeros if omitted.
    activation : {"linear", "relu", "sigmoid", "tanh"}, default "linear"
    stride : int or (int, int), default 1
    padding : {"valid", "same"}, default "valid"
        As in Keras: ``"same"`` puts an odd extra zero bottom/right.

    Attributes
    ----------
    grads : dict
        After :meth:`backward`: ``{"kernel": dL/dW, "bias": dL/db}``.

    Raises
    ------
    ValueError
        For a kernel that is not 4-D, a bias of the wrong shape, an unknown
        activation or padding, or a stride below 1.

    Examples
    --------
    >>> layer = Conv2DLayer(np.ones((2, 2, 1, 1)), bias=[0.5], activation="relu")
    >>> layer.forward(np.ones((1, 3, 3, 1)))[0, :, :, 0].tolist()
    [[4.5, 4.5], [4.5, 4.5]]
    >>> layer.backward(np.ones((1, 2, 2, 1)))[0, :, :, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    >>> layer.grads["bias"].tolist()
    [4.0]
    """

    def __init__(
        self, kernel, bias=None, activation="linear", stride=1, padding="valid"
    ):
        self.kernel = check_array("kernel", kernel, ndim=4)
        c_out = self.kernel.shape[3]
        if bias is None:
            bias = np.zeros(c_out)
        bias = np.asarray(bias, dtype=float)
        if bias.shape != (c_out,):
            raise ValueError(
                f"bias has shape {bias.shape}: expected ({c_out},), "
                "one per output channel"
            )
        self.bias = bias
        if activation is None:
            activation = "linear"
        if activation not in ACTIVATION_NAMES:
            raise ValueError(
                f"activation={activation!r}: expected one of {ACTIVATION_NAMES}"
            )
        self.activation = activation
        self.stride = check_pair("stride", stride, minimum=1)
        if padding not in PADDINGS:
            raise ValueError(f"padding={padding!r}: expected one of {PADDINGS}")
        self.padding = padding
        self.grads: dict = {}
        self._cache = None

    @classmethod
    def from_keras(cls, layer):
        """The same layer, with the weights of a built ``keras.layers.Conv2D``.

        Raises
        ------
        ValueError
            If the Keras layer is dilated, grouped, channels-first, or uses an
            activation this class does not know.

        Examples
        --------
        >>> import keras
        >>> keras_layer = keras.layers.Conv2D(2, 3, activation="relu")
        >>> keras_layer.build((None, 5, 5, 1))
        >>> Conv2DLayer.from_keras(keras_layer).activation
        'relu'
        """
        config = layer.get_config()
        if tuple(config["dilation_rate"]) != (1, 1) or config.get("groups", 1) != 1:
            raise ValueError(f"{layer.name}: expected dilation_rate=1 and groups=1")
        if config["data_format"] != "channels_last":
            raise ValueError(
                f"{layer.name}: data_format={config['data_format']!r}: "
                "expected 'channels_last'"
            )
        kernel = np.asarray(layer.kernel)
        bias = np.asarray(layer.bias) if layer.use_bias else None
        return cls(
            kernel,
            bias,
            config["activation"],
            tuple(config["strides"]),
            config["padding"],
        )

    def _functions(self):
        if self.activation == "linear":
            return _identity, _one
        return (
            activations.ACTIVATIONS[self.activation],
            DERIVATIVES[self.activation],
        )

    def count_params(self) -> int:
        """Weights plus biases: ``kh * kw * c_in * c_out + c_out``.

        Examples
        --------
        >>> Conv2DLayer(np.ones((3, 3, 2, 4))).count_params()
        76
        """
        return int(self.kernel.size + self.bias.size)

    def output_shape(self, input_shape) -> tuple:
        """``(batch, out_h, out_w, out_channels)`` for an NHWC `input_shape`.

        Parameters
        ----------
        input_shape : tuple of 4 ints

        Returns
        -------
        tuple of 4 ints

        Examples
        --------
        >>> Conv2DLayer(np.ones((3, 3, 1, 4)), stride=2, padding="same").output_shape(
        ...     (1, 7, 7, 1))
        (1, 4, 4, 4)
        """
        batch, h, w, _ = input_shape
        pads, k_eff = resolve_padding(
            self.padding, (h, w), self.kernel.shape[:2], self.stride
        )
        return (
            batch,
            *output_shape((h, w), k_eff, pads, self.stride),
            self.kernel.shape[3],
        )

    def forward(self, x) -> np.ndarray:
        """The layer's output for an NHWC batch `x`; remembers what backward needs.

        Parameters
        ----------
        x : array_like, shape (batch, height, width, in_channels)

        Returns
        -------
        ndarray, shape :meth:`output_shape` of ``x.shape``

        Raises
        ------
        ValueError
            If `x` is not 4-D, its channels differ from the kernel's, or the
            kernel is larger than the padded input.
        """
        x = check_array("x", x, ndim=4)
        z = conv2d(x, self.kernel, self.bias, self.stride, self.padding)
        self._cache = (x, z)
        return self._functions()[0](z)

    def backward(self, grad_output) -> np.ndarray:
        """``dL/dx`` from ``dL/da``; stores ``dL/dW`` and ``dL/db`` in :attr:`grads`.

        Parameters
        ----------
        grad_output : array_like
            ``dL/da``, shaped as the last output of :meth:`forward`.

        Returns
        -------
        ndarray
            ``dL/dx``, shaped as the last input.

        Raises
        ------
        RuntimeError
            If :meth:`forward` has not run.
        ValueError
            If `grad_output` is not shaped like the last output.
        """
        if self._cache is None:
            raise RuntimeError(
                "backward() needs the input of a forward() call: call forward(x) first"
            )
        x, z = self._cache
        grad_output = check_array("grad_output", grad_output, ndim=4)
        if grad_output.shape != z.shape:
            raise ValueError(
                f"grad_output has shape {grad_output.shape}: expected {z.shape}, "
                "the shape of the last forward() output"
            )
        dz = grad_output * self._functions()[1](z)  # chain rule through the activation
        args = (self.stride, self.padding)
        self.grads = {
            "kernel": conv2d_weight_grad(x, dz, self.kernel.shape, *args),
            "bias": conv2d_bias_grad(dz),
        }
        return conv2d_input_grad(dz, self.kernel, x.shape, *args)


__all__ = [
    "ACTIVATION_NAMES",
    "Conv2DLayer",
    "DERIVATIVES",
    "leaky_relu_derivative",
    "relu_derivative",
    "sigmoid_derivative",
    "tanh_derivative",
]

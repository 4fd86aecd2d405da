"""The scratch convolution layer and pool2d against Keras: outputs and gradients."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labsupport import pooling
from labsupport.layers import ACTIVATION_NAMES, Conv2DLayer
from labsupport.reproducibility import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402

# TF's oneDNN crashes on input gradients of convolutions whose stride exceeds the
# kernel; the property test draws none. (Setting TF_ENABLE_ONEDNN_OPTS here would
# leak into the worker processes other tests start, and change their arithmetic.)

shapes = st.tuples(st.integers(1, 2), st.integers(1, 8), st.integers(1, 8), st.integers(1, 3))
windows = st.tuples(st.integers(1, 4), st.integers(1, 4))
strides = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
paddings = st.sampled_from(["valid", "same"])


def keras_conv(layer_args, x, seed):
    layer = keras.layers.Conv2D(**layer_args, bias_initializer="random_normal")
    x = tf.Variable(x)
    weights = tf.random.stateless_normal((x.shape[0], x.shape[1], x.shape[2], layer_args["filters"]),
                                         seed=(seed, 1))
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_sum(y * weights[:, : y.shape[1], : y.shape[2], :])  # a loss with dL/dy not all ones
    grads = tape.gradient(loss, [x, layer.kernel, layer.bias])
    return layer, y.numpy(), weights.numpy()[:, : y.shape[1], : y.shape[2], :], [g.numpy() for g in grads]


@settings(max_examples=30)
@given(shapes, windows, strides, paddings, st.sampled_from(ACTIVATION_NAMES), st.integers(1, 3),
       st.integers(0, 10_000))
def test_scratch_layer_equals_keras_conv2d_forward_and_backward(shape, window, stride, padding, activation,
                                                                 filters, seed):
    batch, h, w, c = shape
    assume(padding == "same" or (window[0] <= h and window[1] <= w))
    stride_pair = stride if isinstance(stride, tuple) else (stride, stride)
    assume(all(k >= s for k, s in zip(window, stride_pair)))  # TF's oneDNN: no gradients with k < s
    x = np.random.default_rng(seed).normal(size=shape).astype("float32")
    args = dict(filters=filters, kernel_size=window, strides=stride, padding=padding, activation=activation)
    layer, expected, dl_dy, (dx, dw, db) = keras_conv(args, x, seed)
    ours = Conv2DLayer.from_keras(layer)
    np.testing.assert_allclose(ours.forward(x), expected, atol=1e-5)
    assert ours.output_shape(x.shape) == expected.shape
    np.testing.assert_allclose(ours.backward(dl_dy), dx, atol=1e-4)
    np.testing.assert_allclose(ours.grads["kernel"], dw, atol=1e-4)
    np.testing.assert_allclose(ours.grads["bias"], db, atol=1e-4)
    assert ours.count_params() == layer.count_params()


def test_scratch_layer_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 4, 2))
    layer = Conv2DLayer(rng.normal(size=(3, 2, 2, 3)), rng.normal(size=3), "tanh", stride=(2, 1), padding="same")
    weights = rng.normal(size=layer.output_shape(x.shape))

    def loss(kernel):
        return float(np.sum(Conv2DLayer(kernel, layer.bias, "tanh", (2, 1), "same").forward(x) * weights))

    layer.forward(x)
    layer.backward(weights)
    eps, numeric = 1e-6, np.zeros_like(layer.kernel)
    for index in np.ndindex(layer.kernel.shape):
        step = np.zeros_like(layer.kernel)
        step[index] = eps
        numeric[index] = (loss(layer.kernel + step) - loss(layer.kernel - step)) / (2 * eps)
    np.testing.assert_allclose(layer.grads["kernel"], numeric, atol=1e-6)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Conv2DLayer(np.ones((3, 3))), "kernel has shape (3, 3)"),
        (lambda: Conv2DLayer(np.ones((3, 3, 1, 2)), bias=[1.0]), "bias has shape (1,): expected (2,)"),
        (lambda: Conv2DLayer(np.ones((3, 3, 1, 2)), activation="softmax"), "activation='softmax'"),
        (lambda: Conv2DLayer(np.ones((3, 3, 1, 2)), padding="full"), "padding='full'"),
        (lambda: Conv2DLayer(np.ones((3, 3, 1, 2)), stride=0), "stride=0"),
        (lambda: Conv2DLayer(np.ones((3, 3, 1, 2))).forward(np.ones((1, 4, 4, 2))), "x has 2 channels"),
        (lambda: Conv2DLayer(np.ones((3, 3, 1, 2))).forward(np.ones((1, 2, 2, 1))), "kernel spans 3 rows"),
        (lambda: Conv2DLayer(np.ones((1, 1, 1, 1))).backward(np.ones((1, 1, 1, 1))), "call forward(x) first"),
    ],
)
def test_scratch_layer_rejects_bad_input(make, message):
    with pytest.raises((ValueError, RuntimeError)) as error:
        make()
    assert message in str(error.value)


def test_backward_rejects_a_gradient_of_the_wrong_shape():
    layer = Conv2DLayer(np.ones((2, 2, 1, 1)))
    layer.forward(np.ones((1, 3, 3, 1)))
    with pytest.raises(ValueError, match=r"expected \(1, 2, 2, 1\)"):
        layer.backward(np.ones((1, 3, 3, 1)))


def test_from_keras_refuses_a_dilated_layer():
    layer = keras.layers.Conv2D(1, 2, dilation_rate=2)
    layer.build((None, 5, 5, 1))
    with pytest.raises(ValueError, match="dilation_rate=1"):
        Conv2DLayer.from_keras(layer)


@settings(max_examples=40)
@given(shapes, windows, st.one_of(st.none(), strides), paddings, st.sampled_from(["max", "avg"]),
       st.integers(0, 10_000))
def test_pool2d_equals_keras_pooling_on_batches(shape, window, stride, padding, mode, seed):
    assume(padding == "same" or (window[0] <= shape[1] and window[1] <= shape[2]))
    x = np.random.default_rng(seed).normal(size=shape).astype("float32")
    keras_layer = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}[mode]
    expected = np.asarray(keras_layer(window, strides=stride, padding=padding)(x))
    np.testing.assert_allclose(pooling.pool2d(x, window, stride, padding, mode), expected, atol=1e-5)


def test_same_average_pooling_divides_by_the_real_pixels():
    x = np.arange(9.0).reshape(3, 3)
    ours = pooling.pool2d(x, 2, padding="same", mode="avg")
    expected = keras.layers.AveragePooling2D(2, padding="same")(x[None, :, :, None].astype("float32"))
    np.testing.assert_allclose(ours, np.asarray(expected)[0, :, :, 0], atol=1e-6)
    # the bottom-right window holds one real pixel (8) and three padded cells
    assert ours[1, 1] == 8.0 and ours[0, 1] == (2 + 5) / 2 and ours[0, 0] == (0 + 1 + 3 + 4) / 4


def test_pool2d_default_stride_is_the_window():
    x = np.random.default_rng(1).normal(size=(1, 6, 6, 2))
    np.testing.assert_array_equal(pooling.pool2d(x, 3), pooling.pool2d(x, 3, stride=3))
    assert pooling.pool2d(x, 3).shape == (1, 2, 2, 2)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: pooling.pool2d(np.ones((4, 4)), 0), "size=0"),
        (lambda: pooling.pool2d(np.ones((4, 4)), 2, stride=(1, 0)), "stride[1]=0"),
        (lambda: pooling.pool2d(np.ones((2, 2)), 3), "spans 3"),
        (lambda: pooling.pool2d(np.ones((4, 4, 1)), 2), "x has shape (4, 4, 1)"),
        (lambda: pooling.pool2d(np.ones((4, 4)), 2, mode="min"), "mode='min'"),
    ],
)
def test_pool2d_rejects_bad_input(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "leaky_relu"])
def test_activation_derivatives_equal_tensorflow_autodiff(name):
    from labsupport import activations
    from labsupport.layers import DERIVATIVES

    z = tf.constant(np.linspace(-6, 6, 121) + 0.01)  # avoid ReLU's kink at exactly 0
    functions = {"relu": tf.nn.relu, "sigmoid": tf.sigmoid, "tanh": tf.tanh,
                 "leaky_relu": lambda v: tf.nn.leaky_relu(v, alpha=0.01)}
    with tf.GradientTape() as tape:
        tape.watch(z)
        values = functions[name](z)
    np.testing.assert_allclose(activations.ACTIVATIONS[name](z.numpy()), values.numpy(), atol=1e-12)
    np.testing.assert_allclose(DERIVATIVES[name](z.numpy()), tape.gradient(values, z).numpy(), atol=1e-12)

"""labsupport.backprop against tf.GradientTape, Keras and centred finite differences."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from labsupport import backprop, conv, import_tensorflow, toeplitz

tf = import_tensorflow()
seeds = st.integers(0, 2**31 - 1)
paddings = st.one_of(
    st.sampled_from(["valid", "same"]),
    st.integers(0, 2),
    st.tuples(st.integers(0, 2), st.integers(0, 2)),
)


def fits(h, w, kh, kw, padding, dilation):
    """Whether the dilated kernel fits in the padded input (else conv2d refuses)."""
    try:
        conv.resolve_padding(padding, (h, w), (kh, kw), 1, dilation)
    except ValueError:
        return False
    return True


@st.composite
def problems(draw, max_stride=3, max_dilation=3):
    """A random forward convolution: shapes, stride, padding, dilation, and arrays."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(1, 10)), draw(st.integers(1, 10))
    stride = (draw(st.integers(1, max_stride)), draw(st.integers(1, max_stride)))
    dilation = (draw(st.integers(1, max_dilation)), draw(st.integers(1, max_dilation)))
    padding = draw(paddings)
    assume(fits(h, w, kh, kw, padding, dilation))
    batch, c_in, c_out = (draw(st.integers(1, 3)) for _ in range(3))
    rng = np.random.default_rng(draw(seeds))
    x = rng.normal(size=(batch, h, w, c_in))
    kernel = rng.normal(size=(kh, kw, c_in, c_out))
    y = conv.conv2d(x, kernel, stride=stride, padding=padding, dilation=dilation)
    dy = rng.normal(size=y.shape)  # the loss is L = sum(dy * y), so dL/dy = dy
    return x, kernel, dy, dict(stride=stride, padding=padding, dilation=dilation)


def gradients(x, kernel, dy, args):
    return (
        backprop.conv2d_input_grad(dy, kernel, x.shape, **args),
        backprop.conv2d_weight_grad(x, dy, kernel.shape, **args),
    )


def tf_gradients(x, kernel, dy, stride, padding, dilation):
    """dL/dx and dL/dW from tf.GradientTape for the same forward pass.

    TensorFlow's CPU kernels take no stride together with a dilation, so the
    reference convolves at stride 1 and keeps every stride-th output, which is
    what a stride is. Explicit paddings are applied with tf.pad.
    """
    pads, _ = conv.resolve_padding(padding, x.shape[1:3], kernel.shape[:2], stride, dilation)
    xt, wt = tf.constant(x), tf.constant(kernel)
    with tf.GradientTape() as tape:
        tape.watch([xt, wt])
        padded = tf.pad(xt, [(0, 0), *pads, (0, 0)])
        dense = tf.nn.convolution(padded, wt, padding="VALID", dilations=dilation)
        y = dense[:, :: stride[0], :: stride[1], :]
        loss = tf.reduce_sum(y * dy)
    dx, dw = tape.gradient(loss, [xt, wt])
    return dx.numpy(), dw.numpy()


def numerical_gradient(f, a, eps=1e-5):
    """Centred finite differences of the scalar function `f` at every entry of `a`."""
    grad = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        step = np.zeros_like(a)
        step[index] = eps
        grad[index] = (f(a + step) - f(a - step)) / (2 * eps)
    return grad


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


@given(problems())
def test_gradients_match_gradient_tape(problem):
    x, kernel, dy, args = problem
    # TF 2.21 (oneDNN) aborts on input gradients when the kernel is smaller than the stride
    assume(all(k >= s for k, s in zip(kernel.shape[:2], args["stride"])))
    dx, dw = gradients(x, kernel, dy, args)
    tf_dx, tf_dw = tf_gradients(x, kernel, dy, **args)
    np.testing.assert_allclose(dx, tf_dx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dw, tf_dw, rtol=1e-10, atol=1e-10)


@given(problems())
def test_gradients_match_centred_finite_differences(problem):
    x, kernel, dy, args = problem
    dx, dw = gradients(x, kernel, dy, args)

    def loss_of_x(x_):
        return np.sum(dy * conv.conv2d(x_, kernel, **args))

    def loss_of_w(w_):
        return np.sum(dy * conv.conv2d(x, w_, **args))

    assert relative_error(dx, numerical_gradient(loss_of_x, x)) < 1e-6
    assert relative_error(dw, numerical_gradient(loss_of_w, kernel)) < 1e-6


@pytest.mark.parametrize(
    "padding, strides", [("valid", 1), ("same", 1), ("valid", 2), ("same", 2), ("same", 3)]
)
def test_all_three_gradients_match_a_keras_conv2d_layer(padding, strides):
    keras = tf.keras
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 9, 8, 3))
    layer = keras.layers.Conv2D(4, 3, strides=strides, padding=padding, dtype="float64")
    layer.build(x.shape)
    layer.kernel.assign(rng.normal(size=layer.kernel.shape))
    layer.bias.assign(rng.normal(size=layer.bias.shape))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        dy = rng.normal(size=y.shape)
        loss = tf.reduce_sum(y * dy)
    dx, dw, db = tape.gradient(loss, [xt, layer.kernel, layer.bias])
    w = layer.kernel.numpy()
    args = dict(stride=strides, padding=padding)
    np.testing.assert_allclose(
        backprop.conv2d_input_grad(dy, w, x.shape, **args), dx.numpy(), atol=1e-10
    )
    np.testing.assert_allclose(
        backprop.conv2d_weight_grad(x, dy, w.shape, **args), dw.numpy(), atol=1e-10
    )
    np.testing.assert_allclose(backprop.conv2d_bias_grad(dy), db.numpy(), atol=1e-10)


@given(problems(max_stride=2, max_dilation=2))
def test_single_channel_input_gradient_is_the_transposed_toeplitz_matrix(problem):
    x, kernel, dy, args = problem
    x, kernel, dy = x[:1, :, :, :1], kernel[:, :, :1, :1], dy[:1, :, :, :1]
    expected = toeplitz.conv_transpose(dy[0, :, :, 0], kernel[:, :, 0, 0], x.shape[1:3], **args)
    dx = backprop.conv2d_input_grad(dy, kernel, x.shape, **args)
    np.testing.assert_allclose(dx[0, :, :, 0], expected, atol=1e-12)


def test_bias_gradient_sums_over_batch_and_positions():
    dy = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
    np.testing.assert_allclose(
        backprop.conv2d_bias_grad(dy), [dy[..., o].sum() for o in range(5)], atol=1e-12
    )


def test_errors_name_the_argument():
    x, w = np.zeros((2, 5, 5, 3)), np.zeros((3, 3, 3, 4))
    dy = np.zeros((2, 3, 3, 4))
    with pytest.raises(ValueError, match=r"dy has shape \(2, 4, 3, 4\)"):
        backprop.conv2d_input_grad(np.zeros((2, 4, 3, 4)), w, x.shape)
    with pytest.raises(ValueError, match=r"dy has batch 1"):
        backprop.conv2d_input_grad(dy[:1], w, x.shape)
    with pytest.raises(ValueError, match=r"w has shape \(3, 3, 2, 4\)"):
        backprop.conv2d_input_grad(dy, np.zeros((3, 3, 2, 4)), x.shape)
    with pytest.raises(ValueError, match=r"input_shape=\(5, 5\)"):
        backprop.conv2d_input_grad(dy, w, (5, 5))
    with pytest.raises(ValueError, match=r"input_shape\[1\]=0"):
        backprop.conv2d_input_grad(dy, w, (2, 0, 5, 3))
    with pytest.raises(ValueError, match=r"x has shape \(2, 5, 5, 3\)"):
        backprop.conv2d_weight_grad(x, dy, (3, 3, 2, 4))
    with pytest.raises(ValueError, match=r"dy has shape"):
        backprop.conv2d_weight_grad(x, dy, (3, 3, 3, 5))
    with pytest.raises(ValueError, match=r"dy has batch 1"):
        backprop.conv2d_weight_grad(x, dy[:1], w.shape)
    with pytest.raises(ValueError, match=r"stride=0"):
        backprop.conv2d_weight_grad(x, dy, w.shape, stride=0)
    with pytest.raises(ValueError, match=r"padding='half'"):
        backprop.conv2d_input_grad(dy, w, x.shape, padding="half")
    with pytest.raises(ValueError, match=r"dy has shape \(3, 4\)"):
        backprop.conv2d_bias_grad(np.zeros((3, 4)))

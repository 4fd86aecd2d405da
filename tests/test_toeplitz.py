"""labsupport.toeplitz against labsupport.conv, SciPy, NumPy and TensorFlow."""

import keras
import numpy as np
import pytest
import scipy.linalg
import scipy.signal
import tensorflow as tf
from hypothesis import assume, given
from hypothesis import strategies as st

from labsupport import conv, toeplitz

seeds = st.integers(0, 2**31 - 1)
paddings = st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 2))


def normal(seed, *shape):
    return np.random.default_rng(seed).normal(size=shape)


@given(st.integers(1, 12), st.integers(1, 6), st.sampled_from(["valid", "same", "full"]), seeds)
def test_toeplitz_1d_matches_scipy_convolve(n, m, mode, seed):
    assume(mode != "valid" or m <= n)
    x, w = normal(seed, n), normal(seed + 1, m)
    np.testing.assert_allclose(toeplitz.toeplitz_1d(w, n, mode) @ x, scipy.signal.convolve(x, w, mode), atol=1e-12)


@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 4), st.integers(1, 4), paddings,
       st.integers(1, 3), st.integers(1, 2), seeds)
def test_conv_matrix_equals_correlate2d_sparse_and_dense(h, w, kh, kw, padding, stride, dilation, seed):
    x, k = normal(seed, h, w), normal(seed + 1, kh, kw)
    try:
        expected = conv.correlate2d(x, k, padding, stride, dilation)
    except ValueError:
        with pytest.raises(ValueError):
            toeplitz.conv_matrix(k, (h, w), padding, stride, dilation)
        return
    sparse = toeplitz.conv_matrix(k, (h, w), padding, stride, dilation)
    dense = toeplitz.conv_matrix(k, (h, w), padding, stride, dilation, sparse=False)
    np.testing.assert_allclose((sparse @ x.ravel()).reshape(expected.shape), expected, atol=1e-12)
    np.testing.assert_array_equal(sparse.toarray(), dense)
    if padding in ("valid", "same", "full") and stride == dilation == 1:
        np.testing.assert_allclose(
            (sparse @ x.ravel()).reshape(expected.shape), scipy.signal.correlate2d(x, k, padding), atol=1e-12
        )


@given(st.integers(1, 7), st.integers(1, 7), st.integers(1, 4), st.integers(1, 4), seeds)
def test_circular_conv_matrix_matches_scipy_wrap(h, w, kh, kw, seed):
    x, k = normal(seed, h, w), normal(seed + 1, kh, kw)
    M = toeplitz.conv_matrix(k, (h, w), "same", boundary="wrap")
    np.testing.assert_allclose((M @ x.ravel()).reshape(h, w),
                               scipy.signal.correlate2d(x, k, "same", boundary="wrap"), atol=1e-12)


@given(st.integers(2, 8), st.integers(2, 8), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), seeds)
def test_transpose_is_the_input_gradient(h, w, kh, kw, stride, seed):
    assume(kh <= h and kw <= w)
    x, k = normal(seed, h, w), normal(seed + 1, kh, kw)
    out_shape = conv.correlate2d(x, k, stride=stride).shape
    upstream = normal(seed + 2, *out_shape)
    x_var = tf.Variable(x[None, :, :, None], dtype=tf.float64)
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(x_var, tf.constant(k[:, :, None, None]), strides=stride, padding="VALID")
        loss = tf.reduce_sum(y * upstream[None, :, :, None])
    gradient = tape.gradient(loss, x_var).numpy()[0, :, :, 0]
    np.testing.assert_allclose(toeplitz.conv_transpose(upstream, k, (h, w), stride=stride), gradient, atol=1e-10)


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from(["valid", "same"]), seeds)
def test_transpose_matches_keras_conv2d_transpose(h, w, kh, kw, stride, padding, seed):
    y, k = normal(seed, h, w), normal(seed + 1, kh, kw)
    layer = keras.layers.Conv2DTranspose(1, (kh, kw), strides=stride, padding=padding, use_bias=False)
    layer.build((1, h, w, 1))
    layer.set_weights([k[:, :, None, None].astype("float32")])
    expected = np.asarray(layer(y[None, :, :, None].astype("float32")))[0, :, :, 0]
    forward = conv.correlate2d(np.zeros(expected.shape), k, padding, stride)
    assume(forward.shape == y.shape)  # the forward size must map back to Keras' output size
    np.testing.assert_allclose(toeplitz.conv_transpose(y, k, expected.shape, padding, stride), expected, atol=1e-4)


@given(st.integers(1, 3), st.integers(2, 8), st.integers(2, 8), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(1, 2), st.sampled_from(["valid", "same"]), seeds)
def test_im2col_gemm_equals_conv2d(batch, h, w, c_in, c_out, k, stride, padding, seed):
    assume(padding == "same" or k <= min(h, w))
    x, weights = normal(seed, batch, h, w, c_in), normal(seed + 1, k, k, c_in, c_out)
    expected = conv.conv2d(x, weights, stride=stride, padding=padding)
    gemm = toeplitz.im2col(x, (k, k), padding, stride) @ weights.reshape(-1, c_out)
    np.testing.assert_allclose(gemm.reshape(expected.shape), expected, atol=1e-10)
    single = x[0, :, :, 0]
    np.testing.assert_allclose(toeplitz.im2col(single, (k, k), padding, stride) @ weights[:, :, 0, 0].ravel(),
                               conv.correlate2d(single, weights[:, :, 0, 0], padding, stride).ravel(), atol=1e-10)


@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 6), st.integers(1, 6), seeds)
def test_fft_convolution_equals_direct(h, w, kh, kw, seed):
    x, k = normal(seed, h, w), normal(seed + 1, kh, kw)
    np.testing.assert_allclose(toeplitz.fft_convolve2d(x, k), scipy.signal.convolve2d(x, k, "full"), atol=1e-9)


@given(st.integers(1, 10), st.integers(1, 10), seeds)
def test_circulant_matches_scipy_and_the_fft(n, m, seed):
    assume(m <= n)
    x, w = normal(seed, n), normal(seed + 1, m)
    C = toeplitz.circulant_1d(w, n)
    np.testing.assert_allclose(C, scipy.linalg.circulant(np.concatenate([w, np.zeros(n - m)])))
    np.testing.assert_allclose(C @ x, np.real(np.fft.ifft(np.fft.fft(x) * np.fft.fft(w, n))), atol=1e-10)
    np.testing.assert_allclose(toeplitz.circular_convolve1d(x, w), C @ x, atol=1e-10)


def test_conv_matrix_size_counts_what_conv_matrix_builds():
    size = toeplitz.conv_matrix_size((7, 6, 1), (3, 2, 1, 1), padding="same")
    built = toeplitz.conv_matrix(np.ones((3, 2)), (7, 6), "same")
    assert (size["rows"], size["cols"], size["nonzeros"]) == (*built.shape, built.nnz)
    with pytest.raises(ValueError, match="input channels"):
        toeplitz.conv_matrix_size((4, 4, 3), (3, 3, 2, 1))


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: toeplitz.toeplitz_1d([1, 2, 3], 2, "valid"), "len"),
        (lambda: toeplitz.toeplitz_1d([1, 2], 3, "circular"), "mode='circular'"),
        (lambda: toeplitz.conv_matrix(np.ones((4, 4)), (3, 3)), "kernel spans 4 rows"),
        (lambda: toeplitz.conv_matrix(np.ones((2, 2)), (3, 3), stride=0), "stride=0"),
        (lambda: toeplitz.conv_matrix(np.ones((2, 2)), (3, 3), padding=-1), "padding=-1"),
        (lambda: toeplitz.conv_matrix(np.ones((2, 2)), (3, 0)), r"input_shape\[1\]=0"),
        (lambda: toeplitz.conv_matrix(np.ones((2, 2)), (3, 3), boundary="mirror"), "boundary='mirror'"),
        (lambda: toeplitz.conv_transpose(np.ones((3, 3)), np.ones((2, 2)), (3, 3)), "y has shape"),
        (lambda: toeplitz.im2col(np.ones((1, 3, 3)), (2, 2)), r"x has shape \(1, 3, 3\)"),
        (lambda: toeplitz.circulant_1d([1, 2, 3], 2), "w has length 3"),
    ],
)
def test_bad_input_names_the_argument(call, fragment):
    with pytest.raises(ValueError, match=fragment) as error:
        call()
    assert "expected" in str(error.value)

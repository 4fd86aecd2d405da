"""labsupport.conv against SciPy, NumPy and TensorFlow."""

import numpy as np
import pytest
import scipy.signal
import tensorflow as tf
from hypothesis import assume, given
from hypothesis import strategies as st

from labsupport import conv

MODES = ["valid", "same", "full"]
seeds = st.integers(0, 2**31 - 1)


def normal(seed, *shape):
    return np.random.default_rng(seed).normal(size=shape)


@given(st.integers(1, 12), st.integers(1, 12), st.sampled_from(MODES), seeds)
def test_1d_matches_scipy_and_numpy(n, k, mode, seed):
    assume(mode != "valid" or k <= n)
    x, w = normal(seed, n), normal(seed + 1, k)
    np.testing.assert_allclose(conv.correlate1d(x, w, mode), scipy.signal.correlate(x, w, mode), atol=1e-12)
    np.testing.assert_allclose(conv.convolve1d(x, w, mode), scipy.signal.convolve(x, w, mode), atol=1e-12)
    np.testing.assert_allclose(conv.correlate1d_loop(x, w, mode), conv.correlate1d(x, w, mode), atol=1e-12)
    if k <= n:  # NumPy returns max(n, k) values in "same"; SciPy and the course return n
        np.testing.assert_allclose(conv.correlate1d(x, w, mode), np.correlate(x, w, mode), atol=1e-12)
        np.testing.assert_allclose(conv.convolve1d(x, w, mode), np.convolve(x, w, mode), atol=1e-12)


@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9), st.integers(1, 9), st.sampled_from(MODES), seeds)
def test_2d_matches_scipy_in_every_mode(h, w, kh, kw, mode, seed):
    assume(mode != "valid" or (kh <= h and kw <= w))
    x, k = normal(seed, h, w), normal(seed + 1, kh, kw)
    expected_corr = scipy.signal.correlate2d(x, k, mode)
    expected_conv = scipy.signal.convolve2d(x, k, mode)
    np.testing.assert_allclose(conv.correlate2d(x, k, mode), expected_corr, atol=1e-12)
    np.testing.assert_allclose(conv.correlate2d_loop(x, k, mode), expected_corr, atol=1e-12)
    np.testing.assert_allclose(conv.convolve2d(x, k, mode), expected_conv, atol=1e-12)
    np.testing.assert_allclose(conv.convolve2d_loop(x, k, mode), expected_conv, atol=1e-12)


@given(
    st.integers(2, 12), st.integers(2, 12), st.integers(1, 4), st.integers(1, 4),
    st.integers(0, 3), st.integers(0, 3), st.integers(1, 3), st.integers(1, 3),
    st.integers(1, 3), st.integers(1, 3), seeds,
)
def test_loop_and_vectorised_agree_with_padding_stride_dilation(h, w, kh, kw, ph, pw, sh, sw, dh, dw, seed):
    assume(dh * (kh - 1) + 1 <= h + 2 * ph and dw * (kw - 1) + 1 <= w + 2 * pw)
    x, k = normal(seed, h, w), normal(seed + 1, kh, kw)
    args = dict(padding=(ph, pw), stride=(sh, sw), dilation=(dh, dw))
    fast = conv.correlate2d(x, k, **args)
    np.testing.assert_allclose(conv.correlate2d_loop(x, k, **args), fast, atol=1e-12)
    # a strided result is the stride-1 result subsampled ("strides are subsampling")
    dense = conv.correlate2d(x, k, padding=(ph, pw), dilation=(dh, dw))
    np.testing.assert_allclose(fast, dense[::sh, ::sw], atol=1e-12)
    # a dilated kernel is the kernel with zeros spread between its taps
    spread = np.zeros((dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    spread[::dh, ::dw] = k
    np.testing.assert_allclose(fast, conv.correlate2d(x, spread, padding=(ph, pw), stride=(sh, sw)), atol=1e-12)


def test_convolution_is_correlation_with_the_flipped_kernel():
    x, k = normal(0, 6, 7), normal(1, 3, 2)
    for padding in ["valid", "full", 1, (2, 0)]:
        np.testing.assert_allclose(
            conv.convolve2d(x, k, padding), conv.correlate2d(x, conv.flip(k), padding), atol=1e-12
        )


@given(
    st.integers(1, 2), st.integers(3, 9), st.integers(3, 9), st.integers(1, 3), st.integers(1, 3),
    st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.sampled_from(["valid", "same"]),
    st.booleans(), seeds,
)
def test_conv2d_matches_tf_nn_conv2d(batch, h, w, c_in, c_out, kh, kw, step, padding, strided, seed):
    stride, dilation = (step, 1) if strided else (1, step)  # TF's CPU kernel takes one or the other
    assume(padding == "same" or (dilation * (kh - 1) + 1 <= h and dilation * (kw - 1) + 1 <= w))
    x = normal(seed, batch, h, w, c_in).astype(np.float32)
    k = normal(seed + 1, kh, kw, c_in, c_out).astype(np.float32)
    b = normal(seed + 2, c_out)
    expected = tf.nn.conv2d(x, k, strides=stride, padding=padding.upper(), dilations=dilation).numpy() + b
    ours = conv.conv2d(x, k, b, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(ours, expected, atol=1e-4)
    np.testing.assert_allclose(
        conv.conv2d_loop(x, k, b, stride=stride, padding=padding, dilation=dilation), ours, atol=1e-9
    )


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: conv.correlate2d(np.ones((3, 3)), np.ones((4, 2))), "kernel spans 4 rows"),
        (lambda: conv.correlate2d(np.ones((3, 3)), np.ones((2, 2)), dilation=3), "dilation 3"),
        (lambda: conv.correlate2d(np.ones((3, 3)), np.ones((2, 2)), stride=0), "stride=0"),
        (lambda: conv.correlate2d(np.ones((3, 3)), np.ones((2, 2)), stride=(1, -2)), r"stride\[1\]=-2"),
        (lambda: conv.correlate2d(np.ones((3, 3)), np.ones((2, 2)), padding=-1), "padding=-1"),
        (lambda: conv.correlate2d(np.ones((3, 3)), np.ones((2, 2)), padding="half"), "padding='half'"),
        (lambda: conv.correlate2d(np.ones(3), np.ones((2, 2))), r"x has shape \(3,\) \(1-D\)"),
        (lambda: conv.correlate1d(np.ones(2), np.ones(3)), "kernel spans 3 columns"),
        (lambda: conv.correlate1d(np.ones(5), np.ones(3), mode="circular"), "mode='circular'"),
        (lambda: conv.conv2d(np.ones((1, 4, 4, 3)), np.ones((2, 2, 2, 1))), "in_channels to match"),
        (lambda: conv.conv2d(np.ones((4, 4, 3)), np.ones((2, 2, 3, 1))), r"x has shape \(4, 4, 3\)"),
        (lambda: conv.conv2d(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 2)), b=[1, 2, 3]), "b has shape"),
    ],
)
def test_bad_input_names_the_argument_and_the_expectation(call, fragment):
    with pytest.raises(ValueError, match=fragment) as error:
        call()
    assert "expected" in str(error.value)


@given(st.integers(1, 8), st.integers(1, 8), st.integers(1, 8), st.integers(1, 8), st.sampled_from(["same", "full"]), seeds)
def test_circular_boundary_matches_scipy_wrap(h, w, kh, kw, mode, seed):
    x, k = normal(seed, h, w), normal(seed + 1, kh, kw)
    np.testing.assert_allclose(
        conv.correlate2d(x, k, mode, boundary="wrap"), scipy.signal.correlate2d(x, k, mode, boundary="wrap"), atol=1e-12
    )
    np.testing.assert_allclose(
        conv.convolve2d(x, k, mode, boundary="wrap"), scipy.signal.convolve2d(x, k, mode, boundary="wrap"), atol=1e-12
    )
    np.testing.assert_allclose(conv.correlate2d_loop(x, k, mode, boundary="wrap"),
                               conv.correlate2d(x, k, mode, boundary="wrap"), atol=1e-12)


def test_unknown_boundary_is_refused():
    with pytest.raises(ValueError, match="boundary='reflect'"):
        conv.correlate2d(np.ones((3, 3)), np.ones((2, 2)), boundary="reflect")

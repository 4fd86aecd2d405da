"""What labsupport refuses, and the closed forms that replaced enumeration (issue 15).

Every example of the issue is here, with the exhaustive small-shape checks of
the functions whose results were wrong or whose counting moved to a formula.
"""

import itertools
import time

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

from labsupport import arith, conv, dense, equivariance, pooling, toeplitz, validation
from labsupport.validation import ArgumentTypeError, ResourceLimitError


def brute_force_broken(shape, kernel_size, shift, seed):
    """Where translate∘correlate and correlate∘translate differ, for a random (generic) image and kernel."""
    rng = np.random.default_rng(seed)
    x, k = rng.normal(size=shape), rng.normal(size=(kernel_size, kernel_size))
    filter_then_shift = equivariance.translate(conv.correlate2d(x, k, "same"), shift)
    shift_then_filter = conv.correlate2d(equivariance.translate(x, shift), k, "same")
    return ~np.isclose(filter_then_shift, shift_then_filter, rtol=0, atol=1e-9)


def test_broken_by_zero_padding_matches_brute_force_on_every_small_case():
    checked = 0
    for rows, cols in itertools.product(range(1, 6), repeat=2):
        for kernel_size in (1, 3, 5, 7):
            for shift in itertools.product(range(0, 8), repeat=2):  # includes shifts past the image
                predicted = equivariance.broken_by_zero_padding((rows, cols), kernel_size, shift)
                np.testing.assert_array_equal(predicted, brute_force_broken((rows, cols), kernel_size, shift, checked),
                                              err_msg=f"shape {(rows, cols)}, kernel {kernel_size}, shift {shift}")
                checked += 1
    assert checked == 25 * 4 * 64


def test_the_issues_example_of_content_shifted_off_the_image():
    assert equivariance.broken_by_zero_padding((1, 1), 3, (0, 1)).tolist() == [[False]]
    assert equivariance.translate([[1.0, 2.0]], (0, 5)).tolist() == [[0.0, 0.0]]
    np.testing.assert_array_equal(equivariance.translate([[1.0, 2.0, 3.0]], (0, 4), "wrap"), [[3.0, 1.0, 2.0]])


def test_conv_matrix_size_counts_what_conv_matrix_builds():
    for h, w, kh, kw in itertools.product((1, 2, 5), (1, 3, 4), (1, 2, 3), (1, 3)):
        for padding, stride, dilation in itertools.product(("valid", "same", "full", 2), (1, 2, 3), (1, 2)):
            try:
                built = toeplitz.conv_matrix(np.ones((kh, kw)), (h, w), padding, stride, dilation)
            except ValueError:
                with pytest.raises(ValueError):
                    toeplitz.conv_matrix_size((h, w, 2), (kh, kw, 2, 3), padding, stride, dilation)
                continue
            size = toeplitz.conv_matrix_size((h, w, 2), (kh, kw, 2, 3), padding, stride, dilation)
            assert size["nonzeros"] == built.nnz * 2 * 3, (h, w, kh, kw, padding, stride, dilation)
            assert (size["rows"], size["cols"]) == (built.shape[0] * 3, built.shape[1] * 2)


def test_conv_matrix_size_of_a_huge_layer_is_counted_not_built():
    start = time.perf_counter()
    size = toeplitz.conv_matrix_size((4096, 4096, 3), (3, 3, 3, 64))
    assert time.perf_counter() - start < 1.0
    # per axis: 4096 outputs of 3 taps, less the one tap at each edge that falls on padding
    assert size["nonzeros"] == (4096 * 3 - 2) ** 2 * 3 * 64
    assert size["dense_entries"] == (4096 * 4096 * 64) * (4096 * 4096 * 3)


def test_unread_inputs_matches_enumeration_on_every_small_case():
    for i, k, p, s, d in itertools.product(range(1, 13), range(1, 6), range(0, 4), range(1, 6), range(1, 4)):
        if arith.effective_kernel(k, d) > i + 2 * p:
            continue
        out = arith.conv_output_size(i, k, p, s, d)
        read = {start * s + tap * d - p for start in range(out) for tap in range(k)}
        assert arith.unread_inputs(i, k, p, s, d) == [x for x in range(i) if x not in read], (i, k, p, s, d)


def test_unread_inputs_of_huge_sizes_returns_at_once_or_refuses_up_front():
    start = time.perf_counter()
    assert arith.unread_inputs(10**30, 3) == [] and arith.unread_inputs(10**8, 3) == []
    assert arith.unread_inputs(10**30, 3, s=2) == [10**30 - 1]
    assert time.perf_counter() - start < 1.0
    with pytest.raises(ResourceLimitError, match=r"unread_inputs\(i=10+, k=3, p=0, s=5.*needs about"):
        arith.unread_inputs(10**30, 3, s=5)  # the answer itself is a list of 4e29 positions


@given(st.integers(1, 30), st.integers(1, 6), st.integers(0, 4), st.integers(1, 5), st.integers(0, 4),
       st.integers(1, 4))
def test_transposed_output_size_inverts_conv_output_size(i, k, p, s, a, d):
    try:
        size = arith.transposed_output_size(i, k, p, s, a, d)
    except ValueError as error:
        assert a >= s or "crops" in str(error)
        return
    assert a < s and arith.conv_output_size(size, k, p, s, d) == i


def test_output_padding_follows_keras_not_the_dilation():
    assert arith.transposed_output_size(3, 3, p=0, s=2, output_padding=1, d=2) == 10
    with pytest.raises(ValueError, match=r"output_padding=1: expected less than the stride s=1 \(as Keras"):
        arith.transposed_output_size(3, 3, p=0, s=1, output_padding=1, d=2)
    with pytest.raises(ValueError, match="output_padding=-5"):
        arith.formula("convolution", 5, 3, output_padding=-5)
    with pytest.raises(ValueError, match="output_padding=1: expected 0"):
        arith.formula("pooling", 5, 3, output_padding=1)
    with pytest.raises(ValueError, match="d=2: expected 1"):
        arith.formula("pooling", 5, 3, d=2)


DTYPES_REFUSED = [np.complex128, np.bool_, "datetime64[s]", "timedelta64[s]", object, "U3"]


@pytest.mark.parametrize("dtype", DTYPES_REFUSED, ids=str)
@pytest.mark.parametrize("call", [
    lambda a: conv.correlate1d(a[0], [1.0, 1.0]),
    lambda a: conv.correlate1d_loop(a[0], [1.0, 1.0]),
    lambda a: conv.correlate2d(a, np.ones((2, 2))),
    lambda a: conv.correlate2d_loop(a, np.ones((2, 2))),
    lambda a: pooling.pool2d(a, 2),
    lambda a: pooling.pool2d_loop(a, 2),
    lambda a: toeplitz.im2col(a, (2, 2)),
    lambda a: toeplitz.circulant_1d(a[0], 4),
    lambda a: conv.conv2d(a[None, :, :, None], np.ones((2, 2, 1, 1))),
], ids=["correlate1d", "correlate1d_loop", "correlate2d", "correlate2d_loop", "pool2d", "pool2d_loop", "im2col",
        "circulant_1d", "conv2d"])
def test_one_dtype_rule_refuses_everything_but_real_numbers(call, dtype):
    array = np.zeros((3, 3)).astype(dtype)
    with pytest.raises(TypeError, match=r"has dtype .*expected real numbers \(int or float\)"):
        call(array)


def test_complex_input_gets_the_same_answer_from_the_vectorised_and_the_loop_version():
    for function in (conv.correlate1d, conv.correlate1d_loop):
        with pytest.raises(ArgumentTypeError, match="w has dtype complex128"):
            function([1, 2, 3], [1j, 1])
    assert issubclass(ArgumentTypeError, TypeError) and issubclass(ArgumentTypeError, ValueError)


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: toeplitz.conv_transpose(np.ones((3, 2)).T, np.ones((3, 3)), (5, 4)), ValueError,
     r"y has shape \(2, 3\): expected \(3, 2\)"),
    (lambda: toeplitz.conv_matrix(np.ones((3, 3)), (5, 5, 5)), ValueError, r"input_shape=\(5, 5, 5\) has 3 entries"),
    (lambda: toeplitz.im2col(np.ones((5, 5)), (5, 5, 5)), ValueError, r"kernel_shape=\(5, 5, 5\) has 3 entries"),
    (lambda: dense.tied_dense_weights(np.ones((3, 3)), (5, 5, 5)), ValueError, r"image_shape=\(5, 5, 5\)"),
    (lambda: conv.output_shape((2, 2), (5, 5), ((0, 0), (0, 0)), 1), ValueError, r"k_eff\[0\]=5 is larger"),
    (lambda: conv.axis_padding("bogus", 5, 3, 1), ValueError, "padding='bogus'"),
    (lambda: dense.receptive_field(dense.tied_dense_weights(np.ones((3, 3)), (4, 4)), -1, 0), ValueError,
     r"i=-1: expected an integer index in \[0, 3\]"),
    (lambda: dense.receptive_field(dense.tied_dense_weights(np.ones((3, 3)), (4, 4)), True, 0), TypeError, "i=True"),
    (lambda: dense.receptive_field(dense.tied_dense_weights(np.ones((3, 3)), (4, 4)), 1, None), TypeError, "j=None"),
    (lambda: dense.receptive_field(dense.tied_dense_weights(np.ones((3, 3)), (4, 4)), 1.5, 0), TypeError, "i=1.5"),
    (lambda: arith.shape_table((8, 8, 1), [("conv", 4, 3, 0, "same")]), ValueError, r"layers\[0\] stride=0"),
    (lambda: arith.shape_table((8, 8, 1), [("conv",)]), ValueError, r"layers\[0\]=\('conv',\)"),
    (lambda: arith.shape_table((8, 8, 1), ["conv"]), ValueError, r"layers\[0\]='conv'"),
    (lambda: arith.shape_table((8, 8, 1), [("flatten",), ("pool", 2)]), ValueError, r"layers\[1\] is pool"),
    (lambda: toeplitz.conv_matrix(np.ones((2, 2)), 5), TypeError, "input_shape=5"),
    (lambda: toeplitz.conv_matrix(np.ones((2, 2)), (5,)), ValueError, r"input_shape=\(5,\) has 1 entries"),
    (lambda: pooling.pool2d(np.ones((6, 6)), size=9), ValueError, "size=9 spans 9 rows but x has only 6"),
    (lambda: conv.correlate2d([[1, 2], [3]], np.ones((1, 1))), ValueError, "x is a ragged nested sequence"),
    (lambda: arith.conv_output_size((1, 2, 3), 3), ValueError, r"i=\(1, 2, 3\)"),
    (lambda: arith.receptive_field([3]), TypeError, r"layers\[0\]=3"),
    (lambda: toeplitz.conv_matrix_bytes(np.ones((2, 2))), TypeError, "matrix=ndarray"),
    (lambda: arith.unread_inputs((6, 6), 3), TypeError, r"i=\(6, 6\)"),
    (lambda: equivariance.translate(np.ones((2, 2)), 1), TypeError, "shift=1"),
    (lambda: conv.correlate1d([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "w has 3"),
])
def test_each_example_of_the_issue_gets_an_error_naming_the_argument(call, error, fragment):
    with pytest.raises(error, match=fragment) as raised:
        call()
    assert "expected" in str(raised.value)


def test_a_huge_stride_is_accepted_by_the_matrix_as_by_the_correlation():
    x, k = np.arange(25.0).reshape(5, 5), np.ones((2, 2))
    y = conv.correlate2d(x, k, stride=10**30)
    matrix = toeplitz.conv_matrix(k, (5, 5), stride=10**30)
    np.testing.assert_array_equal((matrix @ x.ravel()).reshape(y.shape), y)
    np.testing.assert_array_equal(toeplitz.im2col(x, (2, 2), stride=10**30) @ k.ravel(), y.ravel())
    assert y.tolist() == [[12.0]]


@pytest.mark.parametrize("call, operation", [
    (lambda: pooling.pool2d(np.ones((4, 4)), size=20000, padding="same"), "pool2d"),
    (lambda: toeplitz.im2col(np.ones((4, 4)), (3, 3), padding=10**4), "im2col"),
    (lambda: conv.conv2d(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)), padding=20000), "conv2d"),
    (lambda: conv.correlate2d_loop(np.ones((4, 4)), np.ones((3, 3)), padding=10**6), "correlate2d_loop"),
    (lambda: dense.tied_dense_weights(np.ones((3, 3)), (1000, 1000)), "tied_dense_weights"),
    (lambda: toeplitz.conv_matrix(np.ones((3, 3)), (10**5, 10**5)), "conv_matrix"),
])
def test_huge_requests_are_refused_before_allocating_with_the_estimate(call, operation):
    start = time.perf_counter()
    with pytest.raises(ResourceLimitError, match=rf"^{operation}\(.*needs about [0-9.]+ [KMGTP]iB, above the limit"):
        call()
    assert time.perf_counter() - start < 1.0


def test_the_memory_limit_can_be_raised_and_lowered():
    x, k = np.ones((40, 40)), np.ones((3, 3))
    with validation.limits(memory=2**10):
        with pytest.raises(ResourceLimitError, match=r"above the limit of 1.0 KiB.*raise labsupport\.validation"):
            conv.correlate2d(x, k)
    with validation.limits(memory=2**30):
        assert conv.correlate2d(x, k).shape == (38, 38)
    with validation.limits(loops=100):
        with pytest.raises(ResourceLimitError, match="correlate2d_loop.*loop steps"):
            conv.correlate2d_loop(x, k)


@pytest.mark.parametrize("boundary", ["fill", "wrap"])
def test_padding_the_output_never_reads_is_not_built_and_changes_nothing(boundary):
    rng = np.random.default_rng(3)
    x, k = rng.normal(size=(5, 6)), rng.normal(size=(3, 2))
    padding, stride = 40, 100  # one output per axis reads the first 3 x 2 of a 85 x 86 padded image
    mode = "constant" if boundary == "fill" else "wrap"
    reference = scipy.signal.correlate2d(np.pad(x, padding, mode=mode), k, "valid")[::stride, ::stride]
    with validation.limits(memory=2**12):  # far less than the padded image's 58 KiB
        np.testing.assert_allclose(conv.correlate2d(x, k, padding, stride, boundary=boundary), reference)
        np.testing.assert_allclose(conv.correlate2d_loop(x, k, padding, stride, boundary=boundary), reference)
    window = pooling.pool2d(x[None, :, :, None], size=3, stride=10**9, padding="same")
    assert window[0, 0, 0, 0] == x[:2, :2].max()

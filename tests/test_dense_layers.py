"""Chapter 1's helpers: affine maps, activations, parameter counts, the tied dense layer."""

import keras
import numpy as np
import pytest
import scipy.signal
import scipy.special
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labsupport import activations, affine, arith, dense

finite = st.floats(-30, 30, allow_nan=False)


@given(arrays(np.float64, st.integers(1, 20), elements=finite))
def test_activations_match_keras_and_scipy(z):
    np.testing.assert_allclose(activations.sigmoid(z), scipy.special.expit(z), rtol=1e-12)
    # Keras works in float32 and flushes subnormals to zero
    close_to_keras = dict(rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(activations.relu(z), keras.activations.relu(z).numpy(), **close_to_keras)
    np.testing.assert_allclose(activations.tanh(z), keras.activations.tanh(z).numpy(), **close_to_keras)
    np.testing.assert_allclose(
        activations.leaky_relu(z, 0.2), keras.activations.leaky_relu(z, negative_slope=0.2).numpy(), **close_to_keras
    )


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        np.testing.assert_allclose(activations.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])


def test_leaky_relu_rejects_a_bad_slope():
    with pytest.raises(ValueError, match="alpha=1.5"):
        activations.leaky_relu(np.ones(2), alpha=1.5)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_homogeneous_form_equals_the_affine_map(m, n, seed):
    rng = np.random.default_rng(seed)
    A, b, x = rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=(5, n))
    lifted = affine.to_homogeneous(x) @ affine.homogeneous_matrix(A, b).T
    np.testing.assert_allclose(lifted[:, :m], affine.affine(A, b, x))
    np.testing.assert_allclose(lifted[:, m], 1.0)


def test_affine_names_the_mismatched_argument():
    with pytest.raises(ValueError, match="x has shape"):
        affine.affine(np.eye(2), np.zeros(2), np.ones(3))
    with pytest.raises(ValueError, match="b has shape"):
        affine.affine(np.eye(2), np.zeros(3), np.ones(2))


def keras_count(*layers, input_shape):
    return keras.Sequential([keras.Input(input_shape), *layers]).count_params()


@given(st.integers(1, 50), st.integers(1, 20), st.booleans())
def test_dense_params_match_keras(n_in, n_out, bias):
    assert arith.dense_params(n_in, n_out, bias) == keras_count(
        keras.layers.Dense(n_out, use_bias=bias), input_shape=(n_in,)
    )


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 4), st.integers(1, 6), st.booleans())
def test_conv_params_match_keras(kh, kw, c_in, c_out, bias):
    assert arith.conv_params(kh, kw, c_in, c_out, bias) == keras_count(
        keras.layers.Conv2D(c_out, (kh, kw), use_bias=bias), input_shape=(8, 8, c_in)
    )


def test_mlp_params_match_keras():
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(7), keras.layers.Dense(3)])
    assert arith.mlp_params([30, 7, 3]) == model.count_params()


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: arith.dense_params(0, 3), "n_in=0"),
        (lambda: arith.dense_params(3, 2.5), "n_out=2.5"),
        (lambda: arith.conv_params(3, 3, 0, 1), "c_in=0"),
        (lambda: arith.weights_per_neuron((28, -1)), r"input_shape\[1\]=-1"),
        (lambda: arith.mlp_params([5]), "layer_sizes"),
    ],
)
def test_counts_name_the_bad_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@given(st.integers(3, 9), st.sampled_from([1, 3, 5]), st.integers(0, 2**31 - 1))
def test_tied_dense_layer_is_a_same_correlation(n, size, seed):
    rng = np.random.default_rng(seed)
    kernel, X = rng.normal(size=(size, size)), rng.normal(size=(n, n))
    H = dense.dense_layer_2d(dense.tied_dense_weights(kernel, (n, n)), X, 0.5)
    np.testing.assert_allclose(H, scipy.signal.correlate2d(X, kernel, mode="same") + 0.5)


def test_offset_view_reindexes_by_offset():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(3, 4, 3, 4))
    V = dense.offset_view(W)
    for i, j, k, l in np.ndindex(W.shape):
        assert V[i, j, k - i + 2, l - j + 3] == W[i, j, k, l]
    assert np.isnan(V).sum() == V.size - W.size


def test_compose_is_the_product_of_the_layer_matrices():
    rng = np.random.default_rng(2)
    W1, W2 = rng.normal(size=(2, 3, 4, 4)), rng.normal(size=(3, 3, 2, 3))
    np.testing.assert_allclose(
        dense.compose(W2, W1).reshape(9, 16), W2.reshape(9, 6) @ W1.reshape(6, 16)
    )


def test_even_kernel_is_refused_for_tied_weights():
    with pytest.raises(ValueError, match=r"kernel has shape \(2, 2\)"):
        dense.tied_dense_weights(np.ones((2, 2)), (4, 4))

"""LeNet-5 and the notes' small CNN (shapes, parameters), losses, L2, dropout, batch
normalisation and kernel descent, each against Keras or an independent computation."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport import conv, descent, losses, models, normalization, regularizers
from labsupport.connection_table import connection_table_layer, lecun_c3_table
from labsupport.reproducibility import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402

LENET_LAYERS = {  # name: (output shape without batch, parameters), LeCun et al. 1998
    "pad_to_32": ((32, 32, 1), 0),
    "C1": ((28, 28, 6), 156),
    "S2": ((14, 14, 6), 0),
    "C3": ((10, 10, 16), 2416),
    "S4": ((5, 5, 16), 0),
    "C5": ((1, 1, 120), 48120),
    "flatten": ((120,), 0),
    "F6": ((84,), 10164),
    "output": ((10,), 850),
}


def test_lenet5_layer_shapes_and_parameters():
    model = models.lenet5(seed=0)
    found = {layer.name: (tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers}
    assert found == LENET_LAYERS
    assert model.count_params() == 61706 == sum(params for _, params in LENET_LAYERS.values())
    assert model(np.zeros((2, 28, 28, 1), "float32")).shape == (2, 10)


def test_lenet5_with_lecuns_table_has_1516_parameters_in_c3():
    model = models.lenet5(c3="table", seed=0)
    assert model.get_layer("C3").count_params() == 1516
    assert model.count_params() == 61706 - 2416 + 1516
    # the paper's 60,000: C1, S2's 12 and S4's 32 coefficients, table C3, C5, F6
    assert 156 + 12 + 1516 + 32 + 48120 + 10164 == 60000


def test_lenet5_is_deterministic_given_a_seed():
    random.seed(1)
    first = models.lenet5(c3="table", seed=5).get_weights()
    random.seed(2)
    second = models.lenet5(c3="table", seed=5).get_weights()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_lenet5_rejects_unknown_options():
    with pytest.raises(ValueError, match="c3='sparse'"):
        models.lenet5(c3="sparse")
    with pytest.raises(ValueError, match="learning_rate=0"):
        models.lenet5(learning_rate=0)


def test_lecun_table_matches_the_paper():
    table = lecun_c3_table()
    assert table.sum(axis=0).tolist() == [3] * 6 + [4] * 9 + [6]
    # Table I, row 0: input map 0 feeds output maps 0, 4, 5, 6, 9, 10, 11, 12, 14, 15
    assert np.flatnonzero(table[0]).tolist() == [0, 4, 5, 6, 9, 10, 11, 12, 14, 15]


def test_connection_table_layer_equals_a_masked_convolution():
    table = lecun_c3_table()
    layer = connection_table_layer(table, 5, activation="tanh", seed=3)
    x = np.random.default_rng(0).normal(size=(2, 14, 14, 6)).astype("float32")
    y = np.asarray(layer(x))
    full = np.asarray(layer.full_kernel())
    assert np.all(full[:, :, ~table] == 0) and np.all(full[:, :, table] != 0)
    bias = np.asarray(layer.bias)
    np.testing.assert_allclose(y, np.tanh(conv.conv2d(x, full, bias)), atol=1e-5)


def test_connection_table_layer_rejects_bad_tables_and_inputs():
    with pytest.raises(ValueError, match="expected a 2-D boolean"):
        connection_table_layer(np.ones((6, 16)), 5)
    table = lecun_c3_table()
    table[:, 3] = False
    with pytest.raises(ValueError, match=r"output maps \[3\] have no input"):
        connection_table_layer(table, 5)
    with pytest.raises(ValueError, match="expected 6, the table's rows"):
        keras.Sequential([keras.Input((14, 14, 3)), connection_table_layer(lecun_c3_table(), 5)])


def test_conv_pool_fc_shapes_and_parameters():
    model = models.conv_pool_fc(seed=0)
    shapes = [tuple(layer.output.shape[1:]) for layer in model.layers]
    assert shapes == [(32, 32, 12), (32, 32, 12), (16, 16, 12), (16 * 16 * 12,), (10,)]
    assert [layer.count_params() for layer in model.layers] == [3 * 3 * 3 * 12 + 12, 0, 0, 0, 3072 * 10 + 10]
    with pytest.raises(ValueError, match="filters=0"):
        models.conv_pool_fc(filters=0)


@given(st.integers(1, 4), st.integers(2, 6), st.floats(-50, 50), st.integers(0, 1000))
def test_cross_entropy_from_logits_equals_keras(batch, classes, scale, seed):
    rng = np.random.default_rng(seed)
    logits = scale * rng.normal(size=(batch, classes))
    labels = rng.integers(0, classes, size=batch)
    expected = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits.astype("float32"))
    assert np.isclose(losses.cross_entropy_from_logits(logits, labels), float(expected), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(losses.softmax(logits), np.asarray(tf.nn.softmax(logits)), atol=1e-12)


def test_naive_cross_entropy_overflows_where_the_logit_form_does_not():
    logits, labels = np.array([[1000.0, 0.0, -5.0]]), np.array([1])
    assert not np.isfinite(losses.naive_cross_entropy(logits, labels))  # inf: exp(1000) overflowed
    assert losses.cross_entropy_from_logits(logits, labels) == pytest.approx(1000.0)
    small = np.array([[2.0, 1.0, 0.1]])
    assert losses.naive_cross_entropy(small, [0]) == pytest.approx(losses.cross_entropy_from_logits(small, [0]))


@given(st.lists(st.floats(-40, 40), min_size=1, max_size=6), st.integers(0, 100))
def test_binary_cross_entropy_equals_keras_and_two_class_softmax(logits, seed):
    z = np.array(logits)
    t = np.random.default_rng(seed).integers(0, 2, size=z.size).astype(float)
    expected = keras.losses.BinaryCrossentropy(from_logits=True)(t[:, None], z[:, None].astype("float32"))
    assert losses.binary_cross_entropy_from_logits(z, t) == pytest.approx(float(expected), rel=1e-4, abs=1e-5)
    two_class = np.stack([np.zeros_like(z), z], axis=1)  # softmax of (0, z) is (1 - sigmoid z, sigmoid z)
    assert losses.cross_entropy_from_logits(two_class, t.astype(int)) == pytest.approx(
        losses.binary_cross_entropy_from_logits(z, t), rel=1e-9, abs=1e-12)


def test_loss_functions_reject_bad_labels():
    with pytest.raises(ValueError, match=r"expected class indices in \[0, 3\)"):
        losses.cross_entropy_from_logits(np.zeros((1, 3)), [3])
    with pytest.raises(ValueError, match="expected 2 integer class indices"):
        losses.cross_entropy_from_logits(np.zeros((2, 3)), [0.5, 1.0])
    with pytest.raises(ValueError, match="targets has shape"):
        losses.binary_cross_entropy_from_logits([0.0, 1.0], [1.0])


def test_l2_penalty_equals_what_keras_adds_to_the_loss():
    layer = keras.layers.Dense(3, kernel_regularizer=keras.regularizers.L2(0.01), kernel_initializer="random_normal")
    layer(np.ones((1, 4), "float32"))
    assert float(layer.losses[0]) == pytest.approx(regularizers.l2_penalty(np.asarray(layer.kernel), 0.01), rel=1e-6)
    with pytest.raises(ValueError, match="l2=-1"):
        regularizers.l2_penalty([np.ones(2)], -1)


def test_keras_dropout_zeroes_units_and_scales_the_rest():
    rate, x = 0.25, np.arange(1.0, 2001.0).astype("float32")
    y = np.asarray(keras.layers.Dropout(rate, seed=1)(x, training=True))
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / (1 - rate), rtol=1e-6)
    assert abs((~kept).mean() - rate) < 0.04
    np.testing.assert_array_equal(np.asarray(keras.layers.Dropout(rate)(x, training=False)), x)


@settings(max_examples=20)
@given(st.integers(1, 6), st.sampled_from([0.0, 0.2, 0.5, 0.8]), st.integers(0, 100))
def test_both_dropout_forms_preserve_the_next_layers_expected_input(n, rate, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=n), rng.normal(size=(n, 3))
    inverted = regularizers.expectation_over_masks(lambda v: v @ w, x, rate)
    original = regularizers.expectation_over_masks(lambda v: v @ w, x, rate, inverted=False)
    np.testing.assert_allclose(inverted, x @ w, atol=1e-12)
    np.testing.assert_allclose(original, (1 - rate) * (x @ w), atol=1e-12)


def test_dropout_rejects_a_bad_rate():
    with pytest.raises(ValueError, match="rate=1"):
        regularizers.dropout(np.ones(3), 1, np.random.default_rng(0))


def test_batch_norm_equals_keras_in_inference_and_training():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(8, 4, 4, 3)).astype("float32")
    layer = keras.layers.BatchNormalization()
    layer.build(x.shape)
    gamma, beta, mean, var = (rng.uniform(0.5, 2.0, 3) for _ in range(4))
    layer.set_weights([gamma, beta, mean, var])
    np.testing.assert_allclose(normalization.batch_norm(x, gamma, beta, mean, var),
                               np.asarray(layer(x, training=False)), atol=1e-5)
    expected = np.asarray(layer(x, training=True))
    y, new_mean, new_var = normalization.batch_norm_train(x, gamma, beta, mean, var)
    np.testing.assert_allclose(y, expected, atol=1e-4)
    np.testing.assert_allclose(new_mean, np.asarray(layer.moving_mean), atol=1e-5)
    np.testing.assert_allclose(new_var, np.asarray(layer.moving_variance), atol=1e-5)
    with pytest.raises(ValueError, match=r"gamma has shape \(2,\): expected \(3,\)"):
        normalization.batch_norm(x, gamma[:2], beta, mean, var)


def test_kernel_descent_gradient_equals_tf_and_the_hessian_explains_divergence():
    x = descent.dark_bar()
    y = conv.correlate2d(x, [[1.0, -1.0]])
    k = tf.Variable([[0.3, 0.2]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        y_hat = tf.nn.conv2d(x[None, :, :, None], tf.reshape(k, (1, 2, 1, 1)), 1, "VALID")
        loss = tf.reduce_sum((y_hat[0, :, :, 0] - y) ** 2)
    kernels, losses_ = descent.kernel_descent(x, y, [[0.3, 0.2]], 0.01, 1)
    assert losses_[0] == pytest.approx(float(loss))
    np.testing.assert_allclose(kernels[1], [[0.3, 0.2]] - 0.01 * tape.gradient(loss, k).numpy(), atol=1e-12)
    hessian = descent.squared_error_hessian(x, (1, 2))
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [12.0, 84.0])
    # the loss is exactly quadratic: its second differences are the Hessian
    e = np.eye(2) * 1e-2
    f = lambda v: descent.squared_error(x, y, v.reshape(1, 2))  # noqa: E731
    k0 = np.array([0.3, 0.2])
    numeric = np.array([[(f(k0 + a + b) - f(k0 + a) - f(k0 + b) + f(k0)) / 1e-4 for b in e] for a in e])
    np.testing.assert_allclose(numeric, hessian, atol=1e-6)
    below, above = 0.99 * descent.largest_stable_rate(hessian), 1.01 * descent.largest_stable_rate(hessian)
    assert descent.kernel_descent(x, y, [[0.3, 0.2]], below, 300)[1][-1] < 1e-3
    assert descent.kernel_descent(x, y, [[0.3, 0.2]], above, 300)[1][-1] > 1e3


def test_kernel_descent_rejects_bad_input():
    x = descent.dark_bar()
    with pytest.raises(ValueError, match="learning_rate=0"):
        descent.kernel_descent(x, np.zeros((6, 8)), [[0.0, 0.0]], 0, 3)
    with pytest.raises(ValueError, match=r"y has shape \(6, 9\): expected \(6, 8\)"):
        descent.kernel_descent(x, np.zeros((6, 9)), [[0.0, 0.0]], 0.01, 3)
    with pytest.raises(ValueError, match="start=5, stop=5"):
        descent.dark_bar(start=5, stop=5)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: losses.softmax([["a", "b"]]), "logits has dtype"),
        (lambda: losses.softmax(np.zeros((2, 2, 2))), "expected (classes,) or (batch, classes)"),
        (lambda: normalization.batch_norm([["x"]], [1.0], [0.0], [0.0], [1.0]), "x has dtype"),
        (lambda: normalization.batch_norm(np.ones((2, 3)), [1.0], [0.0], [0.0], [1.0]),
         "gamma has shape (1,): expected (3,)"),
        (lambda: normalization.batch_norm_train(np.ones((2, 1)), [1.0], [0.0], [0.0], [1.0], momentum=2),
         "momentum=2"),
        (lambda: regularizers.l2_penalty([np.ones(2), ["w"]], 0.1), "weights[1] has dtype"),
        (lambda: regularizers.dropout(np.ones(3), 0.5, rng=0), "rng=0: expected a numpy.random.Generator"),
        (lambda: regularizers.expectation_over_masks(lambda v: v, np.ones(17), 0.5), "at most 16"),
        (lambda: descent.squared_error(descent.dark_bar(), np.zeros((6, 9)), [[1.0, -1.0]]),
         "y has shape (6, 9): expected (6, 8)"),
        (lambda: descent.largest_stable_rate(np.ones((2, 3))), "expected a symmetric square matrix"),
    ],
)
def test_training_helpers_reject_bad_input_naming_the_argument(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)

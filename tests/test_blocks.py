"""Global average pooling and class activation maps, residual blocks and initialisation,
against Keras."""

import numpy as np
import pytest

from labsupport import global_pooling, initialization, interpret, residual
from labsupport.reproducibility import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402


def test_global_average_pool_matches_keras():
    x = np.random.default_rng(0).normal(size=(3, 5, 4, 6)).astype("float32")
    expected = np.asarray(keras.layers.GlobalAveragePooling2D()(x))
    np.testing.assert_allclose(global_pooling.global_average_pool(x), expected, rtol=1e-6)


@pytest.mark.parametrize("rows, cols, channels, classes", [(4, 4, 16, 10), (7, 3, 5, 2)])
def test_head_parameter_counts_match_keras(rows, cols, channels, classes):
    flat = keras.Sequential([keras.Input((rows, cols, channels)), keras.layers.Flatten(),
                             keras.layers.Dense(classes)])
    gap = keras.Sequential([keras.Input((rows, cols, channels)),
                            keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(classes)])
    assert global_pooling.flatten_dense_params(rows, cols, channels, classes) == flat.count_params()
    assert global_pooling.gap_dense_params(channels, classes) == gap.count_params()


def test_class_activation_map_averages_to_the_logit_and_is_grad_cam():
    model = global_pooling.gap_cnn(seed=1)
    images = np.random.default_rng(1).uniform(size=(4, 8, 8, 1)).astype("float32")
    probe = keras.Model(model.inputs[0], model.get_layer("last_conv").output)
    maps = np.asarray(probe(images))
    kernel, bias = model.get_layer("logits").get_weights()
    classes = np.array([0, 3, 5, 9])
    cams = global_pooling.class_activation_maps(maps, kernel, classes)
    logits = np.asarray(model(images))[np.arange(4), classes]
    np.testing.assert_allclose(cams.mean(axis=(1, 2)) + bias[classes], logits, rtol=1e-4,
                               atol=1e-5)
    grad = interpret.grad_cam(model, images, "last_conv", classes)
    np.testing.assert_allclose(grad, np.maximum(cams, 0) / 64, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("c_in, c_out", [(8, 8), (4, 12)])
def test_residual_block_shape_and_parameters_match_keras(c_in, c_out):
    inputs = keras.Input((6, 5, c_in))
    model = keras.Model(inputs, residual.residual_block(inputs, c_out, seed=0))
    assert model.output.shape[1:] == (6, 5, c_out)
    assert model.count_params() == residual.residual_block_params(c_in, c_out)
    names = [layer.name for layer in model.layers]
    assert ("block_projection" in names) == (c_in != c_out)


def test_residual_block_computes_relu_of_input_plus_branch():
    inputs = keras.Input((5, 5, 3))
    block = keras.Model(inputs, residual.residual_block(inputs, 3, seed=2))
    x = np.random.default_rng(3).normal(size=(2, 5, 5, 3)).astype("float32")
    conv1, conv2 = block.get_layer("block_conv1"), block.get_layer("block_conv2")
    branch = np.asarray(conv2(conv1(x)))
    np.testing.assert_allclose(np.asarray(block(x)), np.maximum(x + branch, 0), atol=1e-5)
    plain_in = keras.Input((5, 5, 3))
    plain = keras.Model(plain_in, residual.residual_block(plain_in, 3, residual=False))
    assert plain.count_params() == block.count_params()


def test_identity_path_keeps_the_gradient_through_depth():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(size=(32, 8, 8, 1)), rng.integers(0, 10, 32)
    plain = residual.block_input_gradients(residual.block_stack(12, 8, False, seed=0), x, y)
    skip = residual.block_input_gradients(residual.block_stack(12, 8, True, seed=0), x, y)
    # Glorot halves a ReLU signal per layer: through 24 convolutions the plain stack's
    # gradient at its first block is orders of magnitude below its last block's
    assert plain[0] / plain[-1] < 1e-3
    assert skip[0] / skip[-1] > 0.5


def test_gradients_match_a_finite_difference():
    model = residual.block_stack(2, 3, True, seed=4)
    x = np.random.default_rng(5).uniform(size=(2, 8, 8, 1)).astype("float64")
    norms = residual.block_input_gradients(model, x, [1, 2])
    assert norms.shape == (2,) and np.all(norms > 0)
    with pytest.raises(ValueError, match="one label per image"):
        residual.block_input_gradients(model, x, [1])


@pytest.mark.parametrize("fan_in, fan_out", [(300, 300), (300, 100)])
def test_variances_match_keras_initialisers(fan_in, fan_out):
    shape = (fan_in, fan_out)
    glorot = np.asarray(keras.initializers.GlorotNormal(seed=0)(shape))
    he = np.asarray(keras.initializers.HeNormal(seed=0)(shape))
    # sample variances of 30,000 draws: relative standard error about sqrt(2/n) < 1%
    assert glorot.var() == pytest.approx(initialization.glorot_variance(fan_in, fan_out),
                                         rel=0.05)
    assert he.var() == pytest.approx(initialization.he_variance(fan_in), rel=0.05)


def test_measured_relu_variances_follow_the_formula():
    """The formula is an expectation over the weights: the ratio measured / predicted
    drifts at random from layer to layer, so it is averaged over draws and compared
    within four standard errors of that average."""
    for variance in (initialization.glorot_variance(200, 200), initialization.he_variance(200)):
        predicted = initialization.predicted_variances(6, 200, variance)
        ratios = np.array([initialization.relu_stack_variances(6, 200, variance, 500, seed=s)
                           / predicted for s in range(30)])
        error = ratios.std(axis=0, ddof=1) / np.sqrt(len(ratios))
        assert np.all(np.abs(ratios.mean(axis=0) - 1) < 4 * error), ratios.mean(axis=0)
    assert initialization.predicted_variances(10, 50, 1 / 50)[-1] == pytest.approx(2.0**-9)

"""PyTorch's conventions in Keras (labsupport.porting), against Keras itself."""

import numpy as np
import pytest

from labsupport import models
from labsupport.porting import nchw_dense_to_nhwc


def test_a_reordered_dense_kernel_gives_keras_the_pytorch_layer():
    import keras

    rng = np.random.default_rng(0)
    channels, height, width, units = 3, 4, 5, 7
    nchw = rng.normal(size=(6, channels, height, width)).astype(np.float32)
    weight = rng.normal(size=(units, channels * height * width)).astype(np.float32)
    bias = rng.normal(size=units).astype(np.float32)
    pytorch = nchw.reshape(len(nchw), -1) @ weight.T + bias  # x.view(n, -1), then nn.Linear
    model = keras.Sequential([keras.Input((height, width, channels)), keras.layers.Flatten(),
                              keras.layers.Dense(units)])
    model.layers[-1].set_weights([nchw_dense_to_nhwc(weight, channels, height, width), bias])
    nhwc = nchw.transpose(0, 2, 3, 1)
    np.testing.assert_allclose(model.predict(nhwc, verbose=0), pytorch, rtol=1e-5, atol=1e-5)
    # without the reordering the same weights compute something else
    model.layers[-1].set_weights([weight.T, bias])
    assert not np.allclose(model.predict(nhwc, verbose=0), pytorch, atol=1e-2)


@pytest.mark.parametrize("weight, fragment", [
    (np.zeros((2, 7)), r"weight has shape \(2, 7\): expected \(units, 8\)"),
    (np.zeros(8), r"weight has shape \(8,\)"),
])
def test_a_weight_of_another_shape_is_refused(weight, fragment):
    with pytest.raises(ValueError, match=fragment):
        nchw_dense_to_nhwc(weight, 2, 2, 2)


def test_the_notes_pytorch_network_has_its_parameter_count():
    model = models.mnist_cnn(kernel_size=3)
    # conv 3*3*1*32+32, conv 3*3*32*64+64, dense 64*7*7*1024+1024, dense 1024*10+10
    assert model.count_params() == 320 + 18_496 + 3_212_288 + 10_250 == 3_241_354
    assert model.layers[0].padding == "same" and model.layers[0].kernel_size == (3, 3)


@pytest.mark.parametrize("size", [0, 4])
def test_the_mnist_network_refuses_an_even_or_empty_kernel(size):
    with pytest.raises(ValueError, match=f"kernel_size={size}"):
        models.mnist_cnn(kernel_size=size)

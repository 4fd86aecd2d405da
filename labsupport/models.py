"""Keras models the chapters train, one builder per architecture."""

from __future__ import annotations

from .reproducibility import import_tensorflow
from .validation import check_int


def single_kernel_model(kernel_size: int, learning_rate: float = 0.05):
    """One ``kernel_size x kernel_size`` convolution, no bias, trained for mean squared error.

    The smallest "network" there is: it learns a single kernel from input and
    output images (grey, any size, NHWC). Its kernel is ``model.layers[0].kernel``.

    Parameters
    ----------
    kernel_size : int
    learning_rate : float, default 0.05
        For Adam.

    Examples
    --------
    >>> single_kernel_model(3).count_params()
    9
    """
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    if not learning_rate > 0:
        raise ValueError(f"learning_rate={learning_rate!r}: expected a positive step size")
    import_tensorflow()
    import keras

    model = keras.Sequential(
        [keras.Input((None, None, 1)), keras.layers.Conv2D(1, kernel_size, use_bias=False, name="kernel")]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model

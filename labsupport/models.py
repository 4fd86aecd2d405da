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


def _initializer(seed: int | None, layer: int):
    """Glorot-uniform weights, seeded per layer when `seed` is given.

    An unseeded Keras initializer draws its seed from Python's global ``random``,
    which other threads (a Dask worker's, for one) may use at the same moment; an
    explicit seed makes a model's starting weights depend on `seed` alone.
    """
    import keras

    return keras.initializers.GlorotUniform(seed=None if seed is None else seed + layer)


def digits_cnn(learning_rate: float, l2: float, filters: int = 10, hidden: int = 50, steps_per_execution: int = 150,
               seed: int | None = None):
    """The digits network of the grid-search experiment, compiled for SGD.

    8x8x1 input -> 3x3 convolution with `filters` filters ("same", ReLU) -> 2x2 max
    pooling -> dense `hidden` (ReLU) -> softmax over 10 classes, with an L2 penalty
    of weight `l2` on every layer's kernel; categorical cross-entropy on one-hot labels.

    Parameters
    ----------
    learning_rate : float
        SGD step size, positive.
    l2 : float
        Weight of the L2 penalty, non-negative.
    filters, hidden : int
        Convolution filters and hidden units.
    steps_per_execution : int
        Training steps per compiled call.
    seed : int, optional
        Seeds the initial weights; without it they follow Keras' global seed.

    Raises
    ------
    ValueError
        For a non-positive `learning_rate` or a negative `l2`.

    Examples
    --------
    >>> digits_cnn(0.1, 1e-4).count_params()
    8660
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate={learning_rate!r}: expected a positive step size")
    if not l2 >= 0:
        raise ValueError(f"l2={l2!r}: expected a non-negative penalty weight")
    import_tensorflow()
    import keras

    penalty = keras.regularizers.L2(l2)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(filters, 3, padding="same", activation="relu", kernel_regularizer=penalty,
                                kernel_initializer=_initializer(seed, 0)),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(hidden, activation="relu", kernel_regularizer=penalty,
                               kernel_initializer=_initializer(seed, 1)),
            keras.layers.Dense(10, activation="softmax", kernel_regularizer=penalty,
                               kernel_initializer=_initializer(seed, 2)),
        ]
    )
    # this model is so small that Python overhead, not arithmetic, dominates: one compiled
    # call runs many steps (the benchmark measured it)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate), loss="categorical_crossentropy",
                  metrics=["accuracy"], steps_per_execution=steps_per_execution)
    return model


def mnist_cnn(dropout: float = 0.5, learning_rate: float = 1e-3, seed: int | None = None):
    """The MNIST network of the lecture notes, compiled for Adam.

    28x28x1 -> 5x5 convolution, 32 filters ("same", ReLU) -> 2x2 max pooling ->
    5x5 convolution, 64 filters -> 2x2 max pooling -> dense 1024 (ReLU) ->
    dropout -> 10 logits; sparse categorical cross-entropy on integer labels.

    Parameters
    ----------
    dropout : float
        Dropout rate before the output layer, in [0, 1).
    learning_rate : float
        Adam step size, positive.
    seed : int, optional
        Seeds the initial weights and the dropout masks.

    Raises
    ------
    ValueError
        For a rate outside [0, 1) or a non-positive `learning_rate`.

    Examples
    --------
    >>> mnist_cnn().count_params()
    3274634
    """
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout={dropout!r}: expected a rate in [0, 1)")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate={learning_rate!r}: expected a positive step size")
    import_tensorflow()
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 5, padding="same", activation="relu", kernel_initializer=_initializer(seed, 0)),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 5, padding="same", activation="relu", kernel_initializer=_initializer(seed, 1)),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(1024, activation="relu", kernel_initializer=_initializer(seed, 2)),
            keras.layers.Dropout(dropout, seed=None if seed is None else seed + 3),
            keras.layers.Dense(10, kernel_initializer=_initializer(seed, 4)),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model

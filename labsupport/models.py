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


def digits_cnn(learning_rate: float, l2: float, filters: int = 10, hidden: int = 50,
               steps_per_execution: int = 150, seed: int | None = None):
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
        raise ValueError(
            f"learning_rate={learning_rate!r}: expected a positive step size")
    if not l2 >= 0:
        raise ValueError(f"l2={l2!r}: expected a non-negative penalty weight")
    import_tensorflow()
    import keras

    penalty = keras.regularizers.L2(l2)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(filters, 3, padding="same", activation="relu",
                                kernel_regularizer=penalty,
                                kernel_initializer=_initializer(seed, 0)),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(hidden, activation="relu", kernel_regularizer=penalty,
                               kernel_initializer=_initializer(seed, 1)),
            keras.layers.Dense(10, activation="softmax", kernel_regularizer=penalty,
                               kernel_initializer=_initializer(seed, 2)),
        ]
    )
    # this model is so small that Python overhead, not arithmetic, dominates: one
    # compiled call runs many steps (the benchmark measured it)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"],
                  steps_per_execution=steps_per_execution)
    return model


def mnist_cnn(dropout: float = 0.5, learning_rate: float = 1e-3,
              seed: int | None = None, decay_steps: int | None = None,
              kernel_size: int = 5):
    """The MNIST network of the lecture notes, compiled for Adam.

    28x28x1 -> 5x5 convolution, 32 filters ("same", ReLU) -> 2x2 max pooling ->
    5x5 convolution, 64 filters -> 2x2 max pooling -> dense 1024 (ReLU) ->
    dropout -> 10 logits; sparse categorical cross-entropy on integer labels.
    With ``kernel_size=3`` it is the notes' PyTorch network (``nn.Conv2d(1, 32,
    3, padding=1)``: a 3x3 kernel with one pixel of zeros is "same" padding).

    Parameters
    ----------
    dropout : float
        Dropout rate before the output layer, in [0, 1).
    learning_rate : float
        Adam step size, positive.
    seed : int, optional
        Seeds the initial weights and the dropout masks.
    kernel_size : int
        Side of both convolutions' kernels, odd (so "same" padding is symmetric).
    decay_steps : int, optional
        When given, the step size falls from `learning_rate` to 0 along a half
        cosine over this many training steps (the whole run); a few epochs
        end better annealed than at a constant rate. None keeps it constant.

    Raises
    ------
    ValueError
        For a rate outside [0, 1), a non-positive `learning_rate` or
        `decay_steps`, or an even or non-positive `kernel_size`.

    Examples
    --------
    >>> mnist_cnn().count_params()
    3274634
    >>> mnist_cnn(kernel_size=3).count_params()  # the notes' PyTorch network
    3241354
    """
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout={dropout!r}: expected a rate in [0, 1)")
    if not learning_rate > 0:
        raise ValueError(
            f"learning_rate={learning_rate!r}: expected a positive step size")
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    if kernel_size % 2 == 0:
        raise ValueError(f"kernel_size={kernel_size!r}: expected an odd size, so that "
                         "'same' padding puts as many zeros on each side")
    if decay_steps is not None and not (isinstance(decay_steps, int) and decay_steps > 0):
        raise ValueError(
            f"decay_steps={decay_steps!r}: expected a positive whole number of steps")
    import_tensorflow()
    import keras

    if decay_steps is not None:
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, kernel_size, padding="same", activation="relu",
                                kernel_initializer=_initializer(seed, 0)),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, kernel_size, padding="same", activation="relu",
                                kernel_initializer=_initializer(seed, 1)),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(1024, activation="relu",
                               kernel_initializer=_initializer(seed, 2)),
            keras.layers.Dropout(dropout, seed=None if seed is None else seed + 3),
            keras.layers.Dense(10, kernel_initializer=_initializer(seed, 4)),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


CIFAR10_INPUT = (32, 32, 3)


def cifar10_tutorial_cnn(learning_rate: float = 1e-3, seed: int | None = None):
    """The TensorFlow tutorial's CIFAR-10 network, compiled for Adam on logits.

    32x32x3 images scaled to [0, 1] -> 3x3 convolution, 32 filters (ReLU) -> 2x2
    max pooling -> 3x3 convolution, 64 filters -> 2x2 max pooling -> 3x3
    convolution, 64 filters -> flatten (4 x 4 x 64 = 1,024) -> dense 64 (ReLU) ->
    10 logits. "Valid" padding throughout. The last layer has no softmax: the loss
    is sparse categorical cross-entropy with ``from_logits=True``.

    Parameters
    ----------
    learning_rate : float
        Adam step size, positive.
    seed : int, optional
        Seeds the initial weights.

    Raises
    ------
    ValueError
        For a non-positive `learning_rate`.

    Examples
    --------
    >>> cifar10_tutorial_cnn().count_params()
    122570
    """
    if not learning_rate > 0:
        raise ValueError(
            f"learning_rate={learning_rate!r}: expected a positive step size"
        )
    import_tensorflow()
    import keras

    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(CIFAR10_INPUT),
            layers.Conv2D(
                32,
                3,
                activation="relu",
                kernel_initializer=_initializer(seed, 0),
                name="conv1",
            ),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(
                64,
                3,
                activation="relu",
                kernel_initializer=_initializer(seed, 1),
                name="conv2",
            ),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Conv2D(
                64,
                3,
                activation="relu",
                kernel_initializer=_initializer(seed, 2),
                name="conv3",
            ),
            layers.Flatten(name="flatten"),
            layers.Dense(
                64,
                activation="relu",
                kernel_initializer=_initializer(seed, 3),
                name="dense",
            ),
            layers.Dense(10, kernel_initializer=_initializer(seed, 4), name="logits"),
        ],
        name="cifar10_tutorial",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def cifar10_augmentation(seed: int | None = None):
    """Random flips, crops, brightness, contrast and saturation: the usual list.

    Keras preprocessing layers, for images scaled to [0, 1]: active in ``fit``,
    the identity in ``predict`` and ``evaluate``, so the test images are never
    altered. In order:

    * a horizontal flip, with probability 1/2;
    * CIFAR-10's usual "pad 4, crop": a shift by up to 4 of 32 pixels each way,
      sampled at the nearest pixel (so every shift is a whole number of pixels
      and no pixel is blurred), the uncovered border filled with zeros;
    * a brightness change of up to 0.1 (a tenth of the value range), added;
    * a contrast change by a factor in [0.8, 1.2] about each channel's mean;
    * a saturation change: each image's saturation (the S of HSV) multiplied by
      a factor in [0.8, 1.25], which pulls its colours towards grey or away.

    Every output stays in [0, 1].

    Parameters
    ----------
    seed : int, optional
        Seeds the random draws of every layer.

    Examples
    --------
    >>> [layer.name for layer in cifar10_augmentation().layers]
    ['flip', 'translate', 'brightness', 'contrast', 'saturation']
    """
    import_tensorflow()
    import keras

    layers = keras.layers
    offset = lambda index: None if seed is None else seed + index
    unit = (0.0, 1.0)
    return keras.Sequential(
        [
            layers.RandomFlip("horizontal", seed=offset(0), name="flip"),
            layers.RandomTranslation(
                4 / 32,
                4 / 32,
                fill_mode="constant",
                interpolation="nearest",
                seed=offset(1),
                name="translate",
            ),
            layers.RandomBrightness(
                0.1, value_range=unit, seed=offset(3), name="brightness"
            ),
            layers.RandomContrast(
                0.2, value_range=unit, seed=offset(2), name="contrast"
            ),
            # Keras' saturation factor: 0.5 leaves an image as it is, 0 makes it grey
            layers.RandomSaturation(
                (4 / 9, 5 / 9), value_range=unit, seed=offset(4), name="saturation"
            ),
        ],
        name="augment",
    )


def cosine_with_warmup(learning_rate: float, steps: int, warmup: float = 0.1):
    """A step size that rises linearly from a tenth of `learning_rate` to it over the
    first `warmup` share of `steps`, then falls to zero along half a cosine.

    The warm-up keeps a high step from derailing the first updates, while batch
    normalisation's statistics and Adam's moment estimates are still poor (the
    gradual warm-up of Goyal et al., 2017, "Accurate, large minibatch SGD").

    Examples
    --------
    >>> schedule = cosine_with_warmup(1e-3, 100)
    >>> [round(float(schedule(step)), 6) for step in (0, 10, 100)]
    [0.0001, 0.001, 0.0]
    """
    import_tensorflow()
    import keras

    warmup_steps = int(round(warmup * steps))
    return keras.optimizers.schedules.CosineDecay(
        learning_rate / 10,
        steps - warmup_steps,
        warmup_target=learning_rate,
        warmup_steps=warmup_steps,
    )


def cifar10_improved_cnn(
    augment: bool = True,
    batch_norm: bool = True,
    dropout: float = 0.3,
    decay_steps: int | None = None,
    learning_rate: float = 1e-3,
    widths=(32, 64, 128),
    seed: int | None = None,
    bn_momentum: float = 0.9,
):
    """A better CIFAR-10 network, each improvement switchable; Adam on logits.

    Three blocks of two 3x3 "same" convolutions (`widths` filters), each
    followed by batch normalisation (if `batch_norm`) and ReLU, then 2x2 max
    pooling and dropout; then flatten, dense 128, dropout, 10 logits. Inputs
    are images scaled to [0, 1].

    Parameters
    ----------
    augment : bool
        Put :func:`cifar10_augmentation` in front of the network.
    batch_norm : bool
        Batch normalisation after every convolution (which then has no bias:
        the normalisation's shift replaces it).
    dropout : float
        Rate in [0, 1): ``dropout / 2`` after the first block, rising to
        `dropout` after the last and before the output.
    decay_steps : int, optional
        The learning-rate schedule of :func:`cosine_with_warmup` over this many
        training steps (epochs x batches per epoch); None keeps the rate constant.
    learning_rate : float
        Adam's (initial) step size, positive.
    widths : tuple of 3 int
        Filters of the three blocks.
    seed : int, optional
        Seeds the initial weights, the dropout masks and the augmentation.
    bn_momentum : float
        Momentum of batch normalisation's running statistics, in [0, 1): each
        training step moves them ``1 - bn_momentum`` of the way to the batch's.
        0.9 rather than Keras' 0.99, so that over a short run the statistics
        used at inference follow the weights (chapter 7 measures the lag).

    Raises
    ------
    ValueError
        For a rate or `bn_momentum` outside [0, 1), a non-positive
        `learning_rate` or `decay_steps`, or `widths` that are not three
        positive integers.

    Examples
    --------
    >>> cifar10_improved_cnn().count_params()
    551914
    """
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout={dropout!r}: expected a rate in [0, 1)")
    if not 0 <= bn_momentum < 1:
        raise ValueError(
            f"bn_momentum={bn_momentum!r}: expected a momentum in [0, 1)"
        )
    if not learning_rate > 0:
        raise ValueError(
            f"learning_rate={learning_rate!r}: expected a positive step size"
        )
    if decay_steps is not None and not (
        isinstance(decay_steps, int) and decay_steps > 0
    ):
        raise ValueError(
            f"decay_steps={decay_steps!r}: expected a positive number of steps, or None"
        )
    if len(widths) != 3 or not all(
        isinstance(width, int) and width > 0 for width in widths
    ):
        raise ValueError(f"widths={widths!r}: expected three positive integers")
    import_tensorflow()
    import keras

    layers = keras.layers
    counter = iter(range(100))
    init = lambda: _initializer(seed, next(counter))
    rate_seed = lambda: None if seed is None else seed + 50 + next(counter)
    stack = [keras.Input(CIFAR10_INPUT)]
    if augment:
        stack.append(cifar10_augmentation(None if seed is None else seed + 90))
    for block, width in enumerate(widths, start=1):
        for conv in (1, 2):
            stack.append(
                layers.Conv2D(
                    width,
                    3,
                    padding="same",
                    use_bias=not batch_norm,
                    kernel_initializer=init(),
                    name=f"conv{block}_{conv}",
                )
            )
            if batch_norm:
                stack.append(
                    layers.BatchNormalization(
                        momentum=bn_momentum, name=f"bn{block}_{conv}"
                    )
                )
            stack.append(layers.ReLU(name=f"relu{block}_{conv}"))
        stack.append(layers.MaxPooling2D(2, name=f"pool{block}"))
        if dropout:
            stack.append(
                layers.Dropout(
                    dropout * (block + 1) / 4, seed=rate_seed(), name=f"dropout{block}"
                )
            )
    stack += [
        layers.Flatten(name="flatten"),
        layers.Dense(128, activation="relu", kernel_initializer=init(), name="dense"),
    ]
    if dropout:
        stack.append(layers.Dropout(dropout, seed=rate_seed(), name="dropout_dense"))
    stack.append(layers.Dense(10, kernel_initializer=init(), name="logits"))
    model = keras.Sequential(stack, name="cifar10_improved")
    schedule = (
        learning_rate
        if decay_steps is None
        else cosine_with_warmup(learning_rate, decay_steps)
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def lenet5(c3: str = "full", learning_rate: float = 1e-3, seed: int | None = None):
    """LeNet-5 (LeCun et al. 1998) for 28x28x1 MNIST digits, compiled for Adam.

    28x28x1 -> zero-pad to 32x32 -> C1: 6 maps 5x5 (tanh) -> S2: 2x2 average
    pooling -> C3: 16 maps 5x5 (tanh) -> S4: 2x2 average pooling -> C5: 120 maps
    5x5 (tanh, 1x1 each) -> F6: dense 84 (tanh) -> 10 logits; sparse categorical
    cross-entropy on integer labels.

    Two simplifications of the 1998 network, both standard: S2 and S4 average
    without the paper's trainable coefficient and bias per map (12 and 32
    parameters), and the output is a dense layer (850 parameters) where the paper
    used fixed radial-basis units.

    Parameters
    ----------
    c3 : {"full", "table"}, default "full"
        ``"full"``: every C3 map sees all 6 S2 maps (2,416 parameters);
        ``"table"``: LeCun's connection table (1,516), see
        :mod:`labsupport.connection_table`.
    learning_rate : float
        Adam step size, positive.
    seed : int, optional
        Seeds every layer's initial weights.

    Raises
    ------
    ValueError
        For an unknown `c3` or a non-positive `learning_rate`.

    Examples
    --------
    >>> lenet5().count_params(), lenet5(c3="table").count_params()
    (61706, 60806)
    """
    if c3 not in ("full", "table"):
        raise ValueError(f"c3={c3!r}: expected 'full' or 'table'")
    if not learning_rate > 0:
        raise ValueError(
            f"learning_rate={learning_rate!r}: expected a positive step size"
        )
    import_tensorflow()
    import keras

    from .connection_table import connection_table_layer, lecun_c3_table

    def tanh_conv(filters, name, layer):
        return keras.layers.Conv2D(filters, 5, activation="tanh", name=name,
                                   kernel_initializer=_initializer(seed, layer))

    if c3 == "full":
        c3_layer = tanh_conv(16, "C3", 1)
    else:
        c3_seed = None if seed is None else seed + 1
        c3_layer = connection_table_layer(lecun_c3_table(), 5, activation="tanh",
                                          name="C3", seed=c3_seed)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.ZeroPadding2D(2, name="pad_to_32"),
            tanh_conv(6, "C1", 0),
            keras.layers.AveragePooling2D(2, name="S2"),
            c3_layer,
            keras.layers.AveragePooling2D(2, name="S4"),
            tanh_conv(120, "C5", 2),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(84, activation="tanh", name="F6",
                               kernel_initializer=_initializer(seed, 3)),
            keras.layers.Dense(10, name="output",
                               kernel_initializer=_initializer(seed, 4)),
        ],
        name=f"lenet5_{c3}",
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def conv_pool_fc(input_shape=(32, 32, 3), filters: int = 12, kernel_size: int = 3,
                 classes: int = 10, seed: int | None = None):
    """The lecture notes' first CNN: INPUT -> CONV -> RELU -> POOL -> FC, uncompiled.

    32x32x3 -> `filters` ``kernel_size`` convolutions ("same") -> ReLU -> 2x2 max
    pooling (16x16x`filters`) -> flatten -> dense `classes` scores. With the
    defaults: 336 + 30,730 = 31,066 parameters.

    Parameters
    ----------
    input_shape : tuple of 3 ints, default (32, 32, 3)
        Height, width, channels (CIFAR-10's shape, the notes' 10 classes).
    filters, kernel_size, classes : int
    seed : int, optional
        Seeds the initial weights.

    Examples
    --------
    >>> model = conv_pool_fc()
    >>> [layer.output.shape[1:] for layer in model.layers]
    [(32, 32, 12), (32, 32, 12), (16, 16, 12), (3072,), (10,)]
    >>> model.count_params()
    31066
    """
    filters = check_int("filters", filters, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    classes = check_int("classes", classes, minimum=1)
    if len(input_shape) != 3:
        raise ValueError(
            f"input_shape={input_shape!r}: expected (height, width, channels)"
        )
    import_tensorflow()
    import keras

    return keras.Sequential(
        [
            keras.Input(tuple(input_shape)),
            keras.layers.Conv2D(filters, kernel_size, padding="same", name="CONV",
                                kernel_initializer=_initializer(seed, 0)),
            keras.layers.ReLU(name="RELU"),
            keras.layers.MaxPooling2D(2, name="POOL"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(classes, name="FC",
                               kernel_initializer=_initializer(seed, 1)),
        ],
        name="conv_pool_fc",
    )

"""Residual blocks, and what their identity path does to the gradient through depth.

A residual block (He et al., 2016) adds its input to what its layers compute,
``h_out = relu(h + F(h))``, with ``F`` two 3x3 convolutions. The backward pass then
carries ``dL/dh = dL/dh_out * relu' * (I + dF/dh)``: the identity term passes the
gradient on even where ``dF/dh`` is small, while a plain stack multiplies a
``dF/dh`` per block, and a product of many small factors vanishes.
"""

from __future__ import annotations

import numpy as np

from .reproducibility import import_tensorflow
from .validation import check_int, check_shape


def residual_block_params(c_in: int, c_out: int, kernel_size: int = 3) -> int:
    """Parameters of :func:`residual_block`: two convolutions, and a 1x1 projection
    on the shortcut when the channels change.

    ``k*k*c_in*c_out + c_out`` + ``k*k*c_out*c_out + c_out``
    (+ ``c_in*c_out + c_out`` when ``c_in != c_out``).

    Examples
    --------
    >>> residual_block_params(16, 16), residual_block_params(16, 32)
    (4640, 14432)
    """
    c_in, c_out = check_int("c_in", c_in, 1), check_int("c_out", c_out, 1)
    k = check_int("kernel_size", kernel_size, 1)
    params = k * k * c_in * c_out + c_out + k * k * c_out * c_out + c_out
    return params + (c_in * c_out + c_out if c_in != c_out else 0)


def _initializer(kind: str, seed):
    import keras

    if kind not in ("glorot", "he"):
        raise ValueError(f"init={kind!r}: expected 'glorot' or 'he'")
    if kind == "glorot":
        return keras.initializers.GlorotUniform(seed)
    return keras.initializers.HeNormal(seed)


def residual_block(x, filters: int, kernel_size: int = 3, residual: bool = True,
                   init: str = "glorot", seed: int | None = None, name: str = "block"):
    """Keras functional block: ``relu(shortcut(x) + conv(relu(conv(x))))``.

    "Same" padding and stride 1, so the output has the input's rows and columns and
    `filters` channels. The shortcut is the identity when `x` already has `filters`
    channels and a 1x1 convolution (a projection) otherwise. With
    ``residual=False`` there is no shortcut: the plain block
    ``relu(conv(relu(conv(x))))`` with the same two convolutions.

    Parameters
    ----------
    x : Keras tensor, shape (batch, rows, cols, channels)
    filters, kernel_size : int
    residual : bool, default True
    init : {"glorot", "he"}
        The convolutions' initialiser.
    seed : int, optional
    name : str
        Prefix of the block's layer names.

    Returns
    -------
    Keras tensor, shape (batch, rows, cols, filters)

    Examples
    --------
    >>> import keras
    >>> inputs = keras.Input((8, 8, 16))
    >>> keras.Model(inputs, residual_block(inputs, 32)).count_params()
    14432
    """
    filters = check_int("filters", filters, 1)
    kernel_size = check_int("kernel_size", kernel_size, 1)
    import_tensorflow()
    import keras

    layers = keras.layers
    seeds = [None if seed is None else seed + i for i in range(3)]
    h = layers.Conv2D(filters, kernel_size, padding="same", activation="relu",
                      kernel_initializer=_initializer(init, seeds[0]),
                      name=f"{name}_conv1")(x)
    h = layers.Conv2D(filters, kernel_size, padding="same",
                      kernel_initializer=_initializer(init, seeds[1]),
                      name=f"{name}_conv2")(h)
    if residual:
        shortcut = x
        if x.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1,
                                     kernel_initializer=_initializer(init, seeds[2]),
                                     name=f"{name}_projection")(x)
        h = layers.Add(name=f"{name}_add")([shortcut, h])
    return layers.ReLU(name=f"{name}_relu")(h)


def block_stack(depth: int, width: int, residual: bool, input_shape=(8, 8, 1),
                classes: int = 10, init: str = "glorot", seed: int | None = None):
    """A stem convolution, `depth` blocks of :func:`residual_block`, GAP, logits.

    Each block is its own ``keras.Model`` named ``block1``, ``block2``, ..., so
    that :func:`block_input_gradients` can watch the tensor between blocks.

    Returns
    -------
    keras.Sequential
        Not compiled.

    Examples
    --------
    >>> model = block_stack(3, 8, residual=True, seed=0)
    >>> [layer.name for layer in model.layers][:3], model.count_params()
    (['stem', 'block1', 'block2'], 3674)
    """
    depth, width = check_int("depth", depth, 1), check_int("width", width, 1)
    shape = check_shape("input_shape", input_shape, 3)
    classes = check_int("classes", classes, 1)
    import_tensorflow()
    import keras

    stack = [keras.Input(shape),
             keras.layers.Conv2D(width, 3, padding="same", activation="relu",
                                 name="stem",
                                 kernel_initializer=_initializer(init, seed))]
    for index in range(1, depth + 1):
        inputs = keras.Input((shape[0], shape[1], width))
        block_seed = None if seed is None else seed + 10 * index
        outputs = residual_block(inputs, width, residual=residual, init=init,
                                 seed=block_seed, name=f"block{index}")
        stack.append(keras.Model(inputs, outputs, name=f"block{index}"))
    stack += [keras.layers.GlobalAveragePooling2D(name="gap"),
              keras.layers.Dense(classes, name="logits")]
    return keras.Sequential(stack, name="residual_stack" if residual else "plain_stack")


def block_input_gradients(model, images, labels) -> np.ndarray:
    """``||dL/dh||`` at the input of every block of a :func:`block_stack` model.

    ``L`` is the mean sparse categorical cross-entropy of the logits on
    (`images`, `labels`).

    Returns
    -------
    ndarray, shape (depth,)
        Entry ``i`` is the gradient's norm at the input of ``block{i + 1}``, the
        first block nearest the input.

    Examples
    --------
    >>> model = block_stack(2, 4, residual=True, seed=0)
    >>> block_input_gradients(model, np.ones((2, 8, 8, 1)), [0, 1]).shape
    (2,)
    """
    tf = import_tensorflow()
    import keras

    x = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    y = tf.convert_to_tensor(np.asarray(labels))
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"images has {x.shape[0]} rows and labels {y.shape[0]}: expected one label "
            "per image"
        )
    watched = []
    with tf.GradientTape() as tape:
        h = x
        for layer in model.layers:
            if layer.name.startswith("block"):
                tape.watch(h)
                watched.append(h)
            h = layer(h)
        loss = keras.losses.sparse_categorical_crossentropy(y, h, from_logits=True)
        loss = tf.reduce_mean(loss)
    if not watched:
        raise ValueError(
            "model has no layer named block*: expected a block_stack model")
    return np.array([float(tf.norm(g)) for g in tape.gradient(loss, watched)])


__all__ = ["block_input_gradients", "block_stack", "residual_block",
           "residual_block_params"]

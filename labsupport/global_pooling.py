"""Global average pooling, and the class activation maps it makes possible.

Global average pooling (GAP; Lin et al., 2014) replaces each of the last
convolution's ``C`` feature maps by its mean, so that a dense layer with ``C x classes``
weights, whatever the image size, turns them into class scores. Because the mean
and the dense layer are both linear, the score of class ``c`` is the mean over
positions of the *class activation map* (CAM; Zhou et al., 2016)

    CAM_c(i, j) = sum_k w[k, c] A_k(i, j),    score_c = mean_ij CAM_c(i, j) + b_c,

a map of how much each position adds to the score.
"""

from __future__ import annotations

import numpy as np

from .reproducibility import import_tensorflow
from .validation import as_real_array, check_int, check_shape


def global_average_pool(feature_maps) -> np.ndarray:
    """The mean of each feature map: NHWC ``(N, H, W, C) -> (N, C)``.

    Raises
    ------
    ValueError
        Unless `feature_maps` is 4-D (NHWC).

    Examples
    --------
    >>> global_average_pool(np.arange(8.0).reshape(1, 2, 2, 2)).tolist()
    [[3.0, 4.0]]
    """
    maps = as_real_array("feature_maps", feature_maps)
    if maps.ndim != 4 or maps.size == 0:
        raise ValueError(
            f"feature_maps has shape {maps.shape}: expected a non-empty (batch, rows, "
            "cols, channels) array"
        )
    return maps.mean(axis=(1, 2))


def class_activation_maps(feature_maps, weights, classes) -> np.ndarray:
    """``CAM_c = sum_k weights[k, c] * feature_maps[..., k]`` for one class per image.

    Parameters
    ----------
    feature_maps : array_like, shape (batch, rows, cols, channels)
        The last convolution's output, the input of global average pooling.
    weights : array_like, shape (channels, classes)
        The kernel of the dense layer after the pooling.
    classes : int or sequence of int
        The class whose map is wanted, one for all images or one per image.

    Returns
    -------
    ndarray, shape (batch, rows, cols)

    Raises
    ------
    ValueError
        For shapes that do not fit or a class outside ``range(classes)``.

    Examples
    --------
    >>> maps = np.ones((1, 2, 2, 3)); w = np.array([[1.0, 0], [2, 0], [3, 1]])
    >>> class_activation_maps(maps, w, 0).tolist()
    [[[6.0, 6.0], [6.0, 6.0]]]
    """
    maps = as_real_array("feature_maps", feature_maps)
    w = as_real_array("weights", weights)
    if maps.ndim != 4 or w.ndim != 2 or w.shape[0] != maps.shape[-1]:
        raise ValueError(
            f"feature_maps has shape {maps.shape} and weights {w.shape}: expected "
            "(batch, rows, cols, channels) and (channels, classes)"
        )
    chosen = np.broadcast_to(np.asarray(classes), (maps.shape[0],))
    if chosen.dtype.kind not in "iu" or chosen.min() < 0 or chosen.max() >= w.shape[1]:
        raise ValueError(
            f"classes={classes!r}: expected integers in [0, {w.shape[1] - 1}]"
        )
    return np.einsum("bijk,kb->bij", maps, w[:, chosen])


def flatten_dense_params(rows: int, cols: int, channels: int, classes: int) -> int:
    """Parameters of Flatten + Dense(classes) on ``rows x cols x channels`` maps.

    Examples
    --------
    >>> flatten_dense_params(4, 4, 16, 10)
    2570
    """
    size = [check_int(n, v, 1) for n, v in
            (("rows", rows), ("cols", cols), ("channels", channels),
             ("classes", classes))]
    return size[0] * size[1] * size[2] * size[3] + size[3]


def gap_dense_params(channels: int, classes: int) -> int:
    """Parameters of GAP + Dense(classes): ``channels * classes + classes``.

    Examples
    --------
    >>> gap_dense_params(16, 10)
    170
    """
    channels = check_int("channels", channels, 1)
    classes = check_int("classes", classes, 1)
    return channels * classes + classes


def gap_cnn(input_shape=(8, 8, 1), filters=(16, 32), classes: int = 10,
            learning_rate: float = 3e-3, seed: int | None = None):
    """A small all-convolutional network with a GAP head, compiled for Adam on logits.

    3x3 "same" convolutions with ReLU (``filters``, the last one named ``"last_conv"``,
    He-initialised) -> global average pooling -> dense ``classes`` logits
    (``"logits"``); sparse categorical cross-entropy.

    Examples
    --------
    >>> model = gap_cnn(seed=0)
    >>> model.count_params(), model.get_layer("last_conv").output.shape[1:]
    (5130, (8, 8, 32))
    """
    shape = check_shape("input_shape", input_shape, 3)
    classes = check_int("classes", classes, 1)
    if not filters:
        raise ValueError(f"filters={filters!r}: expected at least one convolution")
    widths = [check_int(f"filters[{i}]", f, 1) for i, f in enumerate(filters)]
    if not learning_rate > 0:
        raise ValueError(
            f"learning_rate={learning_rate!r}: expected a positive step size")
    import_tensorflow()
    import keras

    layers = [keras.Input(shape)]
    for index, width in enumerate(widths):
        name = "last_conv" if index == len(widths) - 1 else f"conv{index + 1}"
        layers.append(keras.layers.Conv2D(
            width, 3, padding="same", activation="relu", name=name,
            kernel_initializer=keras.initializers.HeNormal(
                None if seed is None else seed + index)))
    layers += [keras.layers.GlobalAveragePooling2D(name="gap"),
               keras.layers.Dense(classes, name="logits", kernel_initializer=
                                  keras.initializers.GlorotUniform(
                                      None if seed is None else seed + 50))]
    model = keras.Sequential(layers, name="gap_cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


__all__ = ["class_activation_maps", "flatten_dense_params", "gap_cnn",
           "gap_dense_params", "global_average_pool"]

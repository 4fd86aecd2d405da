"""Inside a trained Keras CNN: activations, filters, saliency, occlusion, Grad-CAM.

Every function works on a Keras model with a single image input, built either as a
``keras.Sequential`` or with the functional API, and reads layers by name. A
Sequential model is run layer by layer (Keras 3 gives a Sequential model no
``output`` tensor to build a sub-model from, the reason the Keras Grad-CAM example
fails on one); a functional model through a sub-model of its own graph.

A *class score* is the model's output for that class: the logit for the course's
networks, whose last layer has no softmax (a softmax output would make one class's
gradient depend on every other class's score).

The module's module name is ``interpret``, not ``inspect``, which would shadow
the standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .arith import (
    Layer,
    ReceptiveField,
    conv_output_size,
    pool_output_size,
    receptive_field,
    same_padding,
)
from .reproducibility import import_tensorflow
from .validation import check_int


def _keras():
    import_tensorflow()
    import keras

    return keras


def _tf():
    return import_tensorflow()


def _layers(model) -> list:
    """The model's layers without its input layer (functional models list one)."""
    keras = _keras()
    return [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]


def layer_names(model) -> list[str]:
    """The names of a model's layers, in order (the names every function here accepts).

    A functional model's input layer is left out, so that a Sequential model and
    the same layers built with the functional API number their layers alike;
    every function here that takes a layer also takes its index in this list.

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> [name.split("_")[0] for name in layer_names(mnist_cnn(seed=0))][:4]
    ['conv2d', 'max', 'conv2d', 'max']
    """
    return [layer.name for layer in _layers(model)]


def _check_layer(model, layer, argument: str = "layer") -> str:
    """The name of `layer`, given by name or by index into :func:`layer_names`."""
    names = layer_names(model)
    if isinstance(layer, (int, np.integer)) and not isinstance(layer, bool):
        if -len(names) <= layer < len(names):
            return names[layer]
    elif layer in names:
        return layer
    raise ValueError(
        f"{argument}={layer!r}: expected a layer's name, one of {names}, or its index "
        f"(-{len(names)}..{len(names) - 1})"
    )


def _input_dtype(model):
    inputs = getattr(model, "inputs", None)
    return inputs[0].dtype if inputs else _keras().config.floatx()


def _images(model, images, argument: str = "images"):
    """`images` as a 4-D (batch, height, width, channels) tensor of the input dtype."""
    array = np.asarray(images)
    if array.ndim != 4 or not np.issubdtype(array.dtype, np.number) or array.size == 0:
        raise ValueError(
            f"{argument} has shape {array.shape} and dtype {array.dtype}: expected a "
            f"non-empty 4-D array of numbers (batch, height, width, channels)"
        )
    return _tf().convert_to_tensor(array, dtype=_input_dtype(model))


def _forward(model, names: Sequence[str]):
    """A function x -> (activations of the layers `names`, model output), for a tape."""
    keras = _keras()
    names = [_check_layer(model, name, "layers") for name in names]
    if isinstance(model, keras.Sequential):
        wanted = set(names)

        def run(x):
            found = {}
            for layer in model.layers:
                x = layer(x, training=False)
                if layer.name in wanted:
                    found[layer.name] = x
            return [found[name] for name in names], x

        return run
    sub = keras.Model(
        model.inputs,
        [model.get_layer(name).output for name in names] + list(model.outputs),
    )

    def run(x):
        outputs = sub(x, training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        return list(outputs[:-1]), outputs[-1]

    return run


def _classes(classes, n: int, scores) -> np.ndarray:
    """One class per image: the predicted one (None), one int for all, or one each."""
    if classes is None:
        return np.asarray(scores).argmax(axis=1)
    array = (
        np.broadcast_to(np.asarray(classes), (n,))
        if np.ndim(classes) == 0
        else np.asarray(classes)
    )
    n_classes = np.asarray(scores).shape[1]
    if (
        array.shape != (n,)
        or not np.issubdtype(array.dtype, np.integer)
        or array.min() < 0
        or array.max() >= n_classes
    ):
        raise ValueError(
            f"classes={classes!r}: expected None, one integer or one integer per image "
            f"({n}), each in 0..{n_classes - 1}"
        )
    return array.astype(np.int64)


def _pick(tf, output, classes):
    """Each image's score for its own class."""
    return tf.gather(output, tf.constant(classes), axis=1, batch_dims=1)


def activations(
    model, images, layers: Sequence[str] | None = None
) -> dict[str, np.ndarray]:
    """The output of each named layer for `images`, computed in one forward pass.

    Parameters
    ----------
    model : keras.Model
        Sequential or functional.
    images : array_like, shape (batch, height, width, channels)
    layers : sequence of str or int, optional
        Layer names or indices into :func:`layer_names`; all layers by default.

    Returns
    -------
    dict
        Layer name -> NumPy array, batch first, in inference mode (dropout off).
        Keras numbers automatic names per session (``conv2d``, ``conv2d_1``, ...),
        so the keys are read from the model, not assumed.

    Raises
    ------
    ValueError
        For an unknown layer name (the message lists the model's layers) or images
        that are not a 4-D batch.

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> model = mnist_cnn(seed=0)
    >>> maps = activations(model, np.zeros((1, 28, 28, 1)), [2])  # second convolution
    >>> maps[model.layers[2].name].shape
    (1, 14, 14, 64)
    """
    names = (
        layer_names(model)
        if layers is None
        else [_check_layer(model, name, "layers") for name in layers]
    )
    found, _ = _forward(model, names)(_images(model, images))
    return {name: np.asarray(value) for name, value in zip(names, found)}


def class_scores(model, images, batch_size: int = 256) -> np.ndarray:
    """The model's outputs (class scores) for `images`, in inference mode.

    The images go through the model `batch_size` at a time, so that a large set
    does not hold every layer's activations for all of them at once.

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> class_scores(mnist_cnn(seed=0), np.zeros((2, 28, 28, 1))).shape
    (2, 10)
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    x = _images(model, images)
    return np.concatenate(
        [
            np.asarray(model(x[start : start + batch_size], training=False))
            for start in range(0, int(x.shape[0]), batch_size)
        ]
    )


def input_gradient(model, images, classes=None) -> np.ndarray:
    """The gradient of each image's class score with respect to its pixels.

    Parameters
    ----------
    model : keras.Model
    images : array_like, shape (batch, height, width, channels)
    classes : None, int or sequence of int
        The class whose score is differentiated: the predicted class (None), one
        class for every image, or one per image.

    Returns
    -------
    ndarray, the shape of `images`
        ``d score[classes[n]] / d images[n]``.

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> input_gradient(mnist_cnn(seed=0), np.zeros((1, 28, 28, 1)), classes=3).shape
    (1, 28, 28, 1)
    """
    tf = _tf()
    x = _images(model, images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        output = model(x, training=False)
        chosen = _classes(classes, int(x.shape[0]), output)
        score = tf.reduce_sum(_pick(tf, output, chosen))
    return np.asarray(tape.gradient(score, x))


def saliency(model, images, classes=None) -> np.ndarray:
    """Simonyan et al.'s saliency map: the largest absolute input gradient of a pixel.

    Returns
    -------
    ndarray, shape (batch, height, width)
        Non-negative; large where a small change of the pixel changes the class
        score most.

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> saliency(mnist_cnn(seed=0), np.zeros((1, 28, 28, 1)), classes=3).shape
    (1, 28, 28)
    """
    return np.abs(input_gradient(model, images, classes)).max(axis=-1)


def occlusion(
    model,
    images,
    classes=None,
    patch: int = 7,
    stride: int = 2,
    fill: float = 0.5,
    batch_size: int = 512,
) -> np.ndarray:
    """Zeiler and Fergus' occlusion map: how far the class score drops under a patch.

    A ``patch x patch`` square of value `fill` is slid over each image with step
    `stride` (it never leaves the image); each entry of the map is the class
    score of the intact image minus that of the occluded one, so a positive
    value marks a region the score relied on.

    Parameters
    ----------
    model : keras.Model
    images : array_like, shape (batch, height, width, channels)
    classes : None, int or sequence of int
        As for :func:`input_gradient`; None: the class predicted for the intact image.
    patch, stride : int
        Side of the square and step between its positions, in pixels.
    fill : float
        The patch's value (0.5 is mid-grey for images scaled to [0, 1]).
    batch_size : int
        Occluded images per forward pass.

    Returns
    -------
    ndarray, shape (batch, rows, cols)
        ``rows = floor((height - patch) / stride) + 1``, the output size of a
        valid convolution (:func:`labsupport.arith.conv_output_size`); ``cols`` alike.

    Raises
    ------
    ValueError
        For a patch larger than the image, or a patch, stride or batch size below 1.

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> occlusion(mnist_cnn(seed=0), np.zeros((1, 28, 28, 1)), patch=8, stride=4).shape
    (1, 6, 6)
    """
    patch = check_int("patch", patch, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    x = np.asarray(_images(model, images))
    n, height, width, _ = x.shape
    if patch > min(height, width):
        raise ValueError(
            f"patch={patch}: expected at most the image's smaller side, "
            f"{min(height, width)}"
        )
    rows = conv_output_size(height, patch, 0, stride)
    cols = conv_output_size(width, patch, 0, stride)
    intact = class_scores(model, x)
    chosen = _classes(classes, n, intact)
    maps = np.empty((n, rows, cols))
    for index in range(n):
        occluded = np.repeat(x[index : index + 1], rows * cols, axis=0)
        for position in range(rows * cols):
            top, left = (position // cols) * stride, (position % cols) * stride
            occluded[position, top : top + patch, left : left + patch, :] = fill
        scores = class_scores(model, occluded, batch_size)[:, chosen[index]]
        maps[index] = (intact[index, chosen[index]] - scores).reshape(rows, cols)
    return maps


def grad_cam(model, images, layer: str | int, classes=None) -> np.ndarray:
    """Selvaraju et al.'s Grad-CAM at the output of convolutional layer `layer`.

    With ``A[k]`` the layer's feature maps and ``y`` the class score,
    ``alpha[k] = mean over positions of dy / dA[k]`` and the map is
    ``ReLU(sum_k alpha[k] A[k])``: the layer's maps, weighted by how much the
    score rises, on average, when each map rises.

    Parameters
    ----------
    model : keras.Model
        Sequential or functional.
    images : array_like, shape (batch, height, width, channels)
    layer : str or int
        Name or index of a layer whose output is (batch, rows, cols, channels).
    classes : None, int or sequence of int
        As for :func:`input_gradient`.

    Returns
    -------
    ndarray, shape (batch, rows, cols)
        At the layer's resolution; :func:`upsample` brings it to the image's.

    Raises
    ------
    ValueError
        For an unknown layer or one whose output is not a stack of 2-D maps.

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> grad_cam(mnist_cnn(seed=0), np.ones((1, 28, 28, 1)), 2, classes=0).shape
    (1, 14, 14)
    """
    tf = _tf()
    x = _images(model, images)
    run = _forward(model, [_check_layer(model, layer)])
    with tf.GradientTape() as tape:
        # watching the input records every operation after it, so the gradient
        # reaches the feature maps too
        tape.watch(x)
        (feature_maps,), output = run(x)
        if len(feature_maps.shape) != 4:
            raise ValueError(
                f"layer={layer!r} has output shape {tuple(feature_maps.shape)}: "
                f"expected feature maps (batch, rows, cols, channels)"
            )
        chosen = _classes(classes, int(x.shape[0]), output)
        score = tf.reduce_sum(_pick(tf, output, chosen))
    gradient = np.asarray(tape.gradient(score, feature_maps))
    weights = gradient.mean(axis=(1, 2), keepdims=True)
    return np.maximum((weights * np.asarray(feature_maps)).sum(axis=-1), 0.0)


def upsample(maps, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resizing of a batch of 2-D maps to `size` (to lay a map over its image).

    Examples
    --------
    >>> upsample(np.ones((1, 7, 7)), (28, 28)).shape
    (1, 28, 28)
    """
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3:
        raise ValueError(f"maps has shape {maps.shape}: expected (batch, rows, cols)")
    resized = _tf().image.resize(maps[..., None], size, method="bilinear")
    return np.asarray(resized)[..., 0]


def _without_activation(model, name: str):
    """A copy of `model`, same weights, whose layer `name` has no activation."""
    keras = _keras()

    def clone(layer):
        config = layer.get_config()
        if layer.name == name:
            config["activation"] = "linear"
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


@dataclass(frozen=True)
class Ascent:
    """Images made by gradient ascent for some filters, and the objective before/after.

    Attributes
    ----------
    images : ndarray, shape (filters, height, width, channels)
    start, end : ndarray, shape (filters,)
        The objective of each filter (its mean activation, or its activation at
        the chosen position, before the activation function unless asked
        otherwise) for the starting image and for the final one.
    """

    images: np.ndarray
    start: np.ndarray
    end: np.ndarray


def _filter_objective(tf, feature_maps, filters, position):
    """Each image's activation of its own filter (image i goes with filters[i]):
    the mean over the map, or the value at `position`."""
    if position is None:
        per_filter = tf.reduce_mean(feature_maps, axis=(1, 2))
    else:
        per_filter = feature_maps[:, position[0], position[1], :]
    return tf.gather(per_filter, tf.constant(filters), axis=1, batch_dims=1)


def filter_visualisation(
    model,
    layer: str | int,
    filters: Sequence[int],
    steps: int = 100,
    step_size: float = 0.05,
    jitter: int = 2,
    blur_sigma: float = 0.5,
    blur_every: int = 4,
    value_range: tuple[float, float] | None = (0.0, 1.0),
    start=None,
    position: tuple[int, int] | None = None,
    pre_activation: bool = True,
    seed: int = 0,
) -> Ascent:
    """The input that most excites each filter of `layer`, found by gradient ascent.

    The objective is the filter's mean activation over its feature map, or, with
    `position`, its activation at that one place: a unit that sees only its
    receptive field, so the picture stays inside it. By default it is taken
    before the layer's activation function: a ReLU unit that is off for the
    starting image passes no gradient, and the ascent would never start.
    Each step shifts the image by a random offset of at most `jitter` pixels
    (rolled, so nothing is lost), adds `step_size` times the gradient of the
    objective divided by its root mean square (a normalised step, so the step
    size means the same on every layer), and shifts back; every
    `blur_every` steps the image is blurred with a Gaussian of `blur_sigma`
    pixels, and it is clipped to `value_range`. Jitter and blur keep the
    high-frequency patterns a network responds to but a person cannot read out
    of the picture (Olah et al. 2017). All randomness comes from `seed`, so the
    same call returns the same images.

    Parameters
    ----------
    model : keras.Model
    layer : str or int
        Name or index of a layer with feature-map output (batch, rows, cols, channels).
    filters : sequence of int
        Channels of that layer; one image each, optimised together.
    steps : int
    step_size : float
        Root-mean-square change per step, in pixel units.
    jitter : int
        Largest random shift in pixels (0: none).
    blur_sigma : float
        Gaussian blur in pixels (0: none).
    blur_every : int
        Steps between blurs.
    value_range : (float, float) or None
        Pixel range to clip to (None: no clipping).
    start : array_like, optional
        Starting images, (len(filters), height, width, channels); default mid-grey
        plus a little noise drawn from `seed`, at the model's input size.
    position : (int, int), optional
        Row and column of the unit to excite; None: the mean over all positions.
    pre_activation : bool, default True
        Climb the layer's output before its activation function (a copy of the
        model with that function removed; `model` is not changed).
    seed : int

    Returns
    -------
    Ascent

    Raises
    ------
    ValueError
        For a bad layer or filter index, or non-positive steps or step size.

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> result = filter_visualisation(mnist_cnn(seed=0), 0, [0, 1], steps=3)
    >>> result.images.shape, bool((result.end > result.start).all())
    ((2, 28, 28, 1), True)
    """
    from scipy.ndimage import gaussian_filter

    tf = _tf()
    steps = check_int("steps", steps, minimum=1)
    jitter = check_int("jitter", jitter, minimum=0)
    blur_every = check_int("blur_every", blur_every, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if not step_size > 0:
        raise ValueError(f"step_size={step_size!r}: expected a positive number")
    if not blur_sigma >= 0:
        raise ValueError(
            f"blur_sigma={blur_sigma!r}: expected a non-negative width in pixels"
        )
    layer = _check_layer(model, layer)
    if pre_activation and getattr(model.get_layer(layer), "activation", None):
        model = _without_activation(model, layer)
    run = _forward(model, [layer])
    filters = [
        check_int(f"filters[{index}]", f, minimum=0) for index, f in enumerate(filters)
    ]
    if not filters:
        raise ValueError("filters=[]: expected at least one channel index")
    rng = np.random.default_rng(seed)
    if start is None:
        shape = tuple(model.inputs[0].shape[1:])
        if None in shape:
            raise ValueError(
                "start=None but the model's input size is not fixed: "
                "pass starting images"
            )
        x = 0.5 + 0.01 * rng.standard_normal((len(filters), *shape))
    else:
        x = np.array(start, dtype=np.float64)
        if x.ndim != 4 or len(x) != len(filters):
            raise ValueError(
                f"start has shape {x.shape}: expected "
                f"({len(filters)}, height, width, channels)"
            )
    _, rows, cols, channels = run(_images(model, x[:1]))[0][0].shape
    if max(filters) >= channels:
        raise ValueError(
            f"filters={filters}: layer {layer!r} has {channels} channels, "
            f"expected indices 0..{channels - 1}"
        )
    if position is not None and not (
        0 <= position[0] < rows and 0 <= position[1] < cols
    ):
        raise ValueError(
            f"position={position!r}: expected (row, column) inside layer {layer!r}'s "
            f"{rows} x {cols} maps"
        )

    def objective_and_gradient(images):
        tensor = _images(model, images)
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            (feature_maps,), _ = run(tensor)
            objective = _filter_objective(tf, feature_maps, filters, position)
            total = tf.reduce_sum(objective)
        return np.asarray(objective, dtype=np.float64), np.asarray(
            tape.gradient(total, tensor), dtype=np.float64
        )

    initial, _ = objective_and_gradient(x)
    for step in range(steps):
        shift = (
            tuple(int(v) for v in rng.integers(-jitter, jitter + 1, size=2))
            if jitter
            else (0, 0)
        )
        _, gradient = objective_and_gradient(np.roll(x, shift, axis=(1, 2)))
        gradient = np.roll(gradient, (-shift[0], -shift[1]), axis=(1, 2))
        rms = np.sqrt((gradient**2).mean(axis=(1, 2, 3), keepdims=True))
        x = x + step_size * gradient / (rms + 1e-12)
        if blur_sigma and (step + 1) % blur_every == 0:
            x = gaussian_filter(x, sigma=(0, blur_sigma, blur_sigma, 0))
        if value_range is not None:
            x = np.clip(x, *value_range)
    final, _ = objective_and_gradient(x)
    return Ascent(x, initial, final)


def edges(model, images, classes=None) -> np.ndarray:
    """An "explanation" that never looks at the model: the image's edge strength.

    The Sobel gradient magnitude of each image, summed over channels. It has the
    signature of the explanation methods here so that :func:`cascading_randomisation`
    can test it: it is the control that must fail that check.

    Examples
    --------
    >>> edges(None, np.ones((2, 6, 5, 1))).shape
    (2, 6, 5)
    """
    from scipy.ndimage import sobel

    x = np.asarray(images, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(
            f"images has shape {x.shape}: expected (batch, height, width, channels)"
        )
    # one image and one channel at a time: scipy's Sobel smooths along every other
    # axis, and must not mix neighbouring images or channels
    strength = np.zeros(x.shape)
    for index in np.ndindex(x.shape[0], x.shape[3]):
        plane = x[index[0], :, :, index[1]]
        strength[index[0], :, :, index[1]] = np.hypot(
            sobel(plane, axis=0), sobel(plane, axis=1)
        )
    return strength.sum(axis=-1)


def constant_maps(maps) -> np.ndarray:
    """Which maps of a batch are constant (for example an all-zero Grad-CAM), one bool each.

    A constant map ranks no pixel above another: it explains nothing.

    Examples
    --------
    >>> constant_maps(np.stack([np.zeros((2, 2)), np.eye(2)])).tolist()
    [True, False]
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim < 2:
        raise ValueError(f"maps has shape {maps.shape}: expected a batch of maps")
    return np.ptp(np.abs(maps).reshape(len(maps), -1), axis=1) == 0


def rank_correlation(first, second) -> np.ndarray:
    """Spearman rank correlation of the absolute values of two batches of maps, per map.

    Adebayo et al. compare an explanation before and after randomisation this
    way: 1 means the same ranking of pixels, 0 an unrelated one. A constant map
    ranks nothing, so it is scored for what it is rather than dropped: 0 against a
    map that is not constant (the explanation vanished, or appeared), 1 against
    another constant map (both are equally empty). :func:`constant_maps` tells
    which maps are constant, to report beside the scores.

    Examples
    --------
    >>> maps = np.arange(8.0).reshape(2, 2, 2)
    >>> rank_correlation(maps, -2 * maps).tolist()
    [1.0, 1.0]
    >>> rank_correlation(maps, np.stack([maps[0], np.zeros((2, 2))])).tolist()
    [1.0, 0.0]
    """
    from scipy.stats import spearmanr

    first, second = np.asarray(first, dtype=np.float64), np.asarray(
        second, dtype=np.float64
    )
    if first.shape != second.shape or first.ndim < 2:
        raise ValueError(
            f"first has shape {first.shape} and second {second.shape}: expected two "
            f"batches of maps of the same shape"
        )
    if not (np.isfinite(first).all() and np.isfinite(second).all()):
        raise ValueError("first or second holds NaN or infinite values: expected finite maps")
    flat = np.abs(first).reshape(len(first), -1), np.abs(second).reshape(len(second), -1)
    empty = constant_maps(first), constant_maps(second)
    values = []
    for a, b, a_empty, b_empty in zip(*flat, *empty):
        if a_empty or b_empty:
            values.append(1.0 if a_empty and b_empty else 0.0)
        else:
            values.append(float(spearmanr(a, b).statistic))
    return np.array(values)


def _fresh_initializer(initializer, seed: int):
    """`initializer` (a Keras initializer) with its seed, if it takes one, set to `seed`."""
    config = initializer.get_config()
    if "seed" in config:
        return initializer.__class__.from_config({**config, "seed": seed})
    return initializer


def randomised_copy(model, layers: Sequence[str], seed: int = 0):
    """A copy of `model` whose named layers have fresh weights, the others kept.

    Each weight of a named layer is drawn again from that layer's own
    initializer (``kernel_initializer``, ``bias_initializer``; for batch
    normalisation ``gamma_initializer`` (ones), ``beta_initializer`` (zeros),
    ``moving_mean_initializer`` (zeros) and ``moving_variance_initializer``
    (ones)), the random ones reseeded from `seed`: the layer as it was before
    training, with other random draws. `model` is not changed.

    Raises
    ------
    ValueError
        For an unknown layer, or a weight whose layer has no initializer for it.

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> model = mnist_cnn(seed=0)
    >>> copy = randomised_copy(model, [-1])
    >>> bool(np.array_equal(copy.layers[0].kernel, model.layers[0].kernel))
    True
    >>> bool(np.array_equal(copy.layers[-1].kernel, model.layers[-1].kernel))
    False
    """
    keras = _keras()
    seed = check_int("seed", seed, minimum=0)
    layers = [_check_layer(model, name, "layers") for name in layers]
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    rng = np.random.default_rng(seed)
    for name in layers:
        target = copy.get_layer(name)
        for weight in target.weights:
            short = weight.path.split("/")[-1]
            initializer = getattr(target, f"{short}_initializer", None)
            if initializer is None:
                raise ValueError(
                    f"layers={name!r}: its weight {short!r} has no "
                    f"{short}_initializer on {type(target).__name__} to draw it again"
                )
            fresh = _fresh_initializer(initializer, int(rng.integers(2**31 - 1)))
            weight.assign(fresh(tuple(weight.shape), dtype=weight.dtype))
    return copy


@dataclass(frozen=True)
class Randomisation:
    """An explanation under cascading randomisation of a model's layers.

    Attributes
    ----------
    randomised : list of list of str
        Step ``t`` has the top ``t`` weighted layers randomised (step 0: none).
    maps : ndarray, shape (steps + 1, batch, height, width)
        The explanation of the same images and classes at each step.
    similarity : ndarray, shape (steps + 1, batch)
        :func:`rank_correlation` of each step's maps with step 0's (a constant
        map scores 0 against a non-constant one; nothing is NaN).
    constant : ndarray of bool, shape (steps + 1, batch)
        Which maps are constant (:func:`constant_maps`), to report beside the
        similarity: an explanation that vanished, or was empty from the start.
    """

    randomised: list
    maps: np.ndarray
    similarity: np.ndarray
    constant: np.ndarray


def cascading_randomisation(
    model, images, explain: Callable, classes=None, seed: int = 0
) -> Randomisation:
    """Adebayo et al.'s model-randomisation sanity check of an explanation method.

    Randomises the weighted layers one by one from the output down (cascading)
    and recomputes ``explain(model, images, classes)`` after each. An explanation
    of what the *model* learned must change as the model is destroyed; one that
    stays the same (similarity near 1 to the end) explains the image, not the model.

    Parameters
    ----------
    model : keras.Model
    images : array_like, shape (batch, height, width, channels)
    explain : callable
        ``explain(model, images, classes) -> (batch, height, width)`` maps, such as
        :func:`saliency`, a :func:`grad_cam` with its layer fixed, or :func:`edges`.
    classes : None, int or sequence of int
        Fixed once, from the intact model (None: its predictions), so every step
        explains the same classes.
    seed : int
        Seed of the random weights; step ``t`` uses ``seed + t``.

    Returns
    -------
    Randomisation

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> images = np.random.rand(2, 28, 28, 1)
    >>> check = cascading_randomisation(mnist_cnn(seed=0), images, edges)
    >>> len(check.randomised), round(float(check.similarity.min()), 9)
    (5, 1.0)
    """
    images = np.asarray(images)
    chosen = _classes(classes, len(images), class_scores(model, images))
    weighted = [layer.name for layer in _layers(model) if layer.weights][::-1]
    randomised, maps = [[]], [np.asarray(explain(model, images, chosen))]
    for step in range(1, len(weighted) + 1):
        copy = randomised_copy(model, weighted[:step], seed=seed + step)
        randomised.append(weighted[:step])
        maps.append(np.asarray(explain(copy, images, chosen)))
    maps = np.stack(maps)
    similarity = np.stack([rank_correlation(maps[0], step_maps) for step_maps in maps])
    constant = np.stack([constant_maps(step_maps) for step_maps in maps])
    return Randomisation(randomised, maps, similarity, constant)


def model_receptive_field(
    model, layer: str | int
) -> tuple[ReceptiveField, ReceptiveField]:
    """The receptive field of `layer`'s units: chapter 4's formula on the layers.

    Walks the layers from the input to `layer` (a chain: every Sequential model,
    and functional models without branches), turning each convolution and pooling
    layer into an :class:`labsupport.arith.Layer` (with Keras' "same" padding
    resolved by :func:`labsupport.arith.same_padding`). Point-wise layers
    (activations, dropout, normalisation) do not change the field.

    Returns
    -------
    (ReceptiveField, ReceptiveField)
        Along rows and along columns.

    Raises
    ------
    ValueError
        For an unknown layer, or a layer before it that mixes positions in a way
        the formula does not cover (dense, flatten, global pooling).

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> rows, cols = model_receptive_field(mnist_cnn(seed=0), 3)  # the second pooling
    >>> rows.size, rows.jump, rows.start
    (16, 4, 1.5)
    """
    keras = _keras()
    layer = _check_layer(model, layer)
    size = list(model.inputs[0].shape[1:3])
    axes = ([], [])
    pointwise = (
        keras.layers.Activation,
        keras.layers.Dropout,
        keras.layers.BatchNormalization,
        keras.layers.ReLU,
    )
    for current in _layers(model):
        if isinstance(
            current,
            (
                keras.layers.Conv2D,
                keras.layers.MaxPooling2D,
                keras.layers.AveragePooling2D,
            ),
        ):
            is_conv = isinstance(current, keras.layers.Conv2D)
            kernel = current.kernel_size if is_conv else current.pool_size
            dilation = current.dilation_rate if is_conv else (1, 1)
            for axis in range(2):
                k, s, d = (
                    int(kernel[axis]),
                    int(current.strides[axis]),
                    int(dilation[axis]),
                )
                before = (
                    same_padding(size[axis], k, s, d)[0]
                    if current.padding == "same"
                    else 0
                )
                axes[axis].append(Layer(k, s, before, d))
                if current.padding == "same":
                    size[axis] = -(-size[axis] // s)
                elif is_conv:
                    size[axis] = conv_output_size(size[axis], k, 0, s, d)
                else:
                    size[axis] = pool_output_size(size[axis], k, s=s)
        elif not isinstance(current, pointwise):
            raise ValueError(
                f"layer={layer!r}: the path to it passes {current.name!r} "
                f"({type(current).__name__}), which has no receptive-field formula here"
            )
        if current.name == layer:
            break
    return receptive_field(axes[0]), receptive_field(axes[1])


def field_window(field: ReceptiveField, position: int, size: int) -> tuple[int, int]:
    """First and last input index (inclusive) in the field of unit `position`, clipped.

    The field is centred at ``start + position * jump`` and ``field.size`` wide;
    the part that falls in the padding is cut off.

    Examples
    --------
    >>> field_window(ReceptiveField(size=16, jump=4, start=1.5), 3, 28)
    (6, 21)
    >>> field_window(ReceptiveField(size=16, jump=4, start=1.5), 0, 28)
    (0, 9)
    """
    centre = field.start + position * field.jump
    first, last = centre - (field.size - 1) / 2, centre + (field.size - 1) / 2
    return max(0, int(round(first))), min(size - 1, int(round(last)))


def unit_input_gradient(
    model,
    images,
    layer: str | int,
    position: tuple[int, int],
    channel: int | None = None,
) -> np.ndarray:
    """The gradient of one unit of `layer` with respect to the input images.

    The unit is the activation at `position` (row, column) of `channel`, or the
    sum over channels when `channel` is None. The pixels where the gradient is
    non-zero are those that move the unit for these images: a subset of the
    unit's receptive field (a ReLU that is off, or a max-pooling window that
    picked another input, passes no gradient).

    Returns
    -------
    ndarray, the shape of `images`

    Examples
    --------
    >>> from labsupport.models import mnist_cnn
    >>> g = unit_input_gradient(mnist_cnn(seed=0), np.ones((1, 28, 28, 1)), 0, (0, 0))
    >>> int(np.nonzero(g[0, :, :, 0])[0].max())  # 5x5 'same' kernel at the corner
    2
    """
    tf = _tf()
    x = _images(model, images)
    run = _forward(model, [_check_layer(model, layer)])
    row, col = position
    with tf.GradientTape() as tape:
        tape.watch(x)
        (feature_maps,), _ = run(x)
        rows, cols = int(feature_maps.shape[1]), int(feature_maps.shape[2])
        if not (0 <= row < rows and 0 <= col < cols):
            raise ValueError(
                f"position={position!r}: expected (row, column) inside layer "
                f"{layer!r}'s {rows} x {cols} maps"
            )
        unit = (
            feature_maps[:, row, col, :]
            if channel is None
            else feature_maps[:, row, col, channel]
        )
        total = tf.reduce_sum(unit)
    return np.asarray(tape.gradient(total, x))

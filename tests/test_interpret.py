"""labsupport.interpret against independent references: NumPy forward passes, finite
differences, direct loops, and models whose explanations are known in closed form."""

import numpy as np
import pytest

from labsupport import arith, conv, interpret
from labsupport.reproducibility import import_tensorflow

import_tensorflow()
import keras  # noqa: E402


def smooth_layers(seed=0):
    """A small float64 network with smooth activations (no kinks for differences)."""
    init = [keras.initializers.GlorotUniform(seed=seed + i) for i in range(3)]
    bias = keras.initializers.RandomUniform(-0.3, 0.3, seed=seed + 10)
    return [
        keras.layers.Conv2D(
            3,
            3,
            padding="same",
            activation="tanh",
            kernel_initializer=init[0],
            bias_initializer=bias,
            dtype="float64",
        ),
        keras.layers.AveragePooling2D(2, dtype="float64"),
        keras.layers.Conv2D(
            4,
            3,
            activation="tanh",
            kernel_initializer=init[1],
            bias_initializer=bias,
            dtype="float64",
        ),
        keras.layers.Flatten(dtype="float64"),
        keras.layers.Dense(
            5, kernel_initializer=init[2], bias_initializer=bias, dtype="float64"
        ),
    ]


def sequential(layers, shape, dtype="float64"):
    return keras.Sequential([keras.Input(shape, dtype=dtype), *layers])


def functional(layers, shape, dtype="float64"):
    inputs = keras.Input(shape, dtype=dtype)
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


@pytest.fixture(scope="module", params=["sequential", "functional"])
def smooth_model(request):
    build = sequential if request.param == "sequential" else functional
    return build(smooth_layers(), (8, 8, 2))


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).uniform(0, 1, (3, 8, 8, 2))


def manual_forward(model, x):
    """The smooth network's forward pass in NumPy, layer by layer."""
    (w1, b1), (w2, b2), (w3, b3) = [
        model.get_layer(name).get_weights()
        for name in interpret.layer_names(model)
        if model.get_layer(name).weights
    ]
    a1 = np.tanh(conv.conv2d(x, w1, b1, padding="same"))
    n, h, w, c = a1.shape
    p1 = a1.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))
    a2 = np.tanh(conv.conv2d(p1, w2, b2))
    flat = a2.reshape(n, -1)
    return [a1, p1, a2, flat, flat @ w3 + b3]


def test_activations_match_a_manual_forward_pass(smooth_model, images):
    found = interpret.activations(smooth_model, images)
    expected = manual_forward(smooth_model, images)
    assert list(found) == interpret.layer_names(smooth_model)
    for (name, value), reference in zip(found.items(), expected):
        np.testing.assert_allclose(
            value, reference, rtol=1e-10, atol=1e-12, err_msg=name
        )
    by_index = interpret.activations(smooth_model, images, [2, -1])
    np.testing.assert_allclose(list(by_index.values())[0], expected[2], rtol=1e-10)
    np.testing.assert_allclose(
        interpret.class_scores(smooth_model, images), expected[-1], rtol=1e-10
    )


def test_input_gradient_matches_centred_finite_differences(smooth_model, images):
    classes = [0, 3, 4]
    gradient = interpret.input_gradient(smooth_model, images, classes)
    step = 1e-5
    for index, cls in enumerate(classes):
        image = images[index]
        bumps = np.eye(image.size).reshape(image.size, *image.shape) * step
        plus = interpret.class_scores(smooth_model, image + bumps)[:, cls]
        minus = interpret.class_scores(smooth_model, image - bumps)[:, cls]
        numeric = ((plus - minus) / (2 * step)).reshape(image.shape)
        np.testing.assert_allclose(gradient[index], numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(
        interpret.saliency(smooth_model, images, classes), np.abs(gradient).max(axis=-1)
    )


def test_predicted_class_is_the_default(smooth_model, images):
    predicted = interpret.class_scores(smooth_model, images).argmax(axis=1)
    np.testing.assert_array_equal(
        interpret.input_gradient(smooth_model, images),
        interpret.input_gradient(smooth_model, images, predicted),
    )


@pytest.mark.parametrize(
    "patch, stride, batch_size", [(3, 2, 4), (4, 4, 512), (1, 3, 7)]
)
def test_occlusion_matches_a_direct_loop(
    smooth_model, images, patch, stride, batch_size
):
    classes = [1, 2, 0]
    maps = interpret.occlusion(
        smooth_model,
        images,
        classes,
        patch=patch,
        stride=stride,
        fill=0.25,
        batch_size=batch_size,
    )
    size = images.shape[1]
    positions = range(0, size - patch + 1, stride)
    expected = np.empty((len(images), len(positions), len(positions)))
    for n, (image, cls) in enumerate(zip(images, classes)):
        intact = interpret.class_scores(smooth_model, image[None])[0, cls]
        for i, top in enumerate(positions):
            for j, left in enumerate(positions):
                occluded = image.copy()
                occluded[top : top + patch, left : left + patch, :] = 0.25
                expected[n, i, j] = (
                    intact
                    - interpret.class_scores(smooth_model, occluded[None])[0, cls]
                )
    assert maps.shape == expected.shape
    assert maps.shape[1] == arith.conv_output_size(size, patch, 0, stride)
    np.testing.assert_allclose(maps, expected, rtol=1e-9, atol=1e-12)


def corner_layers(mask, kernel, dense):
    """Mask (the model sees only where it is 1) -> 1x1 conv -> global mean -> dense."""
    return [
        keras.layers.Lambda(lambda x: x * mask, name="corner_only"),
        keras.layers.Conv2D(
            kernel.shape[-1],
            1,
            use_bias=False,
            name="features",
            kernel_initializer=keras.initializers.Constant(kernel),
        ),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(
            dense.shape[-1],
            use_bias=False,
            kernel_initializer=keras.initializers.Constant(dense),
        ),
    ]


@pytest.mark.parametrize("build", [sequential, functional])
def test_grad_cam_of_a_model_that_sees_one_corner(build):
    size = 8
    mask = np.zeros((1, size, size, 1), dtype="float32")
    mask[:, :3, :3] = 1
    # two feature maps, 0.5x and 2x the input; class 0 likes both, class 1 neither
    kernel = np.array([[[[0.5, 2.0]]]], dtype="float32")
    dense = np.array([[1.0, -1.0], [0.25, -2.0]], dtype="float32")
    model = build(corner_layers(mask, kernel, dense), (size, size, 1), dtype="float32")
    x = np.random.default_rng(1).uniform(0.1, 1.0, (2, size, size, 1)).astype("float32")

    cam = interpret.grad_cam(model, x, "features", classes=0)
    # score = sum_k dense[k, 0] * mean(A_k), A_k = kernel[k] * mask * x,
    # so dscore/dA_k = dense[k, 0] / 64
    # everywhere, and the map is ReLU(sum_k dense[k, 0] / 64 * kernel[k] * mask * x).
    weights = dense[:, 0] / size**2
    expected = np.maximum(
        (weights * kernel[0, 0, 0]).sum() * mask[..., 0] * x[..., 0], 0
    )
    np.testing.assert_allclose(cam, expected, rtol=1e-6)
    assert (
        (cam[:, :3, :3] > 0).all()
        and (cam[:, 3:, :] == 0).all()
        and (cam[:, :, 3:] == 0).all()
    )
    assert (
        interpret.grad_cam(model, x, 1, classes=1) == 0
    ).all()  # negative evidence is cut by the ReLU

    gradient = interpret.input_gradient(model, x, classes=0)
    np.testing.assert_allclose(
        gradient,
        np.broadcast_to((weights * kernel[0, 0, 0]).sum() * mask, x.shape),
        rtol=1e-6,
    )
    assert interpret.upsample(cam, (16, 16)).shape == (2, 16, 16)


def test_grad_cam_agrees_between_sequential_and_functional(images):
    maps = [
        interpret.grad_cam(
            build(smooth_layers(seed=5), (8, 8, 2)), images, 2, classes=[0, 1, 2]
        )
        for build in (sequential, functional)
    ]
    np.testing.assert_allclose(maps[0], maps[1], rtol=1e-12)
    assert maps[0].shape == (3, 2, 2) and (maps[0] >= 0).all()


def test_filter_visualisation_is_deterministic_and_climbs(smooth_model):
    first = interpret.filter_visualisation(smooth_model, 0, [0, 1, 2], steps=12, seed=3)
    again = interpret.filter_visualisation(smooth_model, 0, [0, 1, 2], steps=12, seed=3)
    other = interpret.filter_visualisation(smooth_model, 0, [0, 1, 2], steps=12, seed=4)
    np.testing.assert_array_equal(first.images, again.images)
    assert not np.array_equal(first.images, other.images)
    assert (first.end > first.start).all()
    assert first.images.min() >= 0 and first.images.max() <= 1
    (after_tanh,) = interpret.activations(smooth_model, first.images, [0]).values()
    means = np.arctanh(after_tanh).mean(axis=(1, 2))  # the objective is before the tanh
    np.testing.assert_allclose(means[np.arange(3), [0, 1, 2]], first.end, rtol=1e-8)


def test_filter_visualisation_of_one_unit_stays_in_its_receptive_field(smooth_model):
    start = np.random.default_rng(5).uniform(0.2, 0.8, (2, 8, 8, 2))
    result = interpret.filter_visualisation(
        smooth_model,
        0,
        [0, 2],
        steps=5,
        jitter=0,
        blur_sigma=0,
        start=start,
        position=(1, 5),
        pre_activation=False,
    )
    rows, cols = interpret.model_receptive_field(smooth_model, 0)
    first_row, last_row = interpret.field_window(rows, 1, 8)
    first_col, last_col = interpret.field_window(cols, 5, 8)
    assert (first_row, last_row, first_col, last_col) == (0, 2, 4, 6)
    inside = np.zeros((8, 8), bool)
    inside[first_row : last_row + 1, first_col : last_col + 1] = True
    changed = (result.images != start).any(axis=(0, 3))
    assert changed[inside].all() and not changed[~inside].any()
    value = list(interpret.activations(smooth_model, result.images, [0]).values())[0]
    np.testing.assert_allclose(value[[0, 1], 1, 5, [0, 2]], result.end, rtol=1e-10)
    assert (result.end > result.start).all()


def test_filter_visualisation_climbs_before_a_relu_that_is_off():
    # a bias of -10 keeps the ReLU off for any image in [0, 1]: no gradient after it
    layer = keras.layers.Conv2D(
        2,
        3,
        activation="relu",
        bias_initializer=keras.initializers.Constant(-10.0),
        kernel_initializer=keras.initializers.GlorotUniform(seed=0),
    )
    model = sequential(
        [layer, keras.layers.Flatten(), keras.layers.Dense(3)],
        (6, 6, 1),
        dtype="float32",
    )
    stuck = interpret.filter_visualisation(
        model, 0, [0, 1], steps=5, blur_sigma=0, pre_activation=False, seed=2
    )
    climbed = interpret.filter_visualisation(
        model, 0, [0, 1], steps=5, blur_sigma=0, seed=2
    )
    start = interpret.filter_visualisation(
        model, 0, [0, 1], steps=1, step_size=1e-30, blur_sigma=0, jitter=0, seed=2
    ).images
    np.testing.assert_array_equal(stuck.images, start)  # no gradient, no change
    assert (stuck.end == 0).all() and (climbed.end > climbed.start).all()
    kernel, bias = layer.get_weights()
    by_hand = conv.conv2d(climbed.images, kernel, bias).mean(axis=(1, 2))
    np.testing.assert_allclose(by_hand[[0, 1], [0, 1]], climbed.end, rtol=1e-4)
    assert (
        model.layers[0].activation is keras.activations.relu
    )  # the model is unchanged


def test_filter_visualisation_of_a_linear_filter_follows_its_constant_gradient():
    # mean activation of a linear 'valid' filter is linear in the image: its gradient G
    # is the kernel summed over every position it visits, divided by the number of
    # positions, whatever the image.
    kernels = np.random.default_rng(2).normal(size=(3, 3, 1, 2))
    layer = keras.layers.Conv2D(
        2, 3, kernel_initializer=keras.initializers.Constant(kernels), dtype="float64"
    )
    model = sequential([layer], (6, 6, 1))
    result = interpret.filter_visualisation(
        model,
        0,
        [0, 1],
        steps=4,
        step_size=0.1,
        jitter=0,
        blur_sigma=0,
        value_range=None,
        start=np.zeros((2, 6, 6, 1)),
    )
    for index in range(2):
        gradient = np.zeros((6, 6))
        for top in range(4):
            for left in range(4):
                gradient[top : top + 3, left : left + 3] += kernels[:, :, 0, index] / 16
        expected = 4 * 0.1 * gradient / np.sqrt((gradient**2).mean())
        np.testing.assert_allclose(result.images[index, :, :, 0], expected, rtol=1e-9)


def test_edges_is_the_sobel_magnitude_of_each_image_alone():
    images = np.random.default_rng(3).uniform(size=(3, 9, 7, 2))
    sobel_rows = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    expected = np.zeros((3, 9, 7))
    for n in range(3):
        for c in range(2):
            # scipy's default boundary ("reflect") repeats the edge pixel one step out
            plane = np.pad(images[n, :, :, c], 1, mode="edge")
            rows = conv.correlate2d(plane, sobel_rows)
            cols = conv.correlate2d(plane, sobel_rows.T)
            expected[n] += np.hypot(rows, cols)
    np.testing.assert_allclose(interpret.edges(None, images), expected, rtol=1e-12)
    np.testing.assert_allclose(
        interpret.edges(None, images[1:2]), expected[1:2], rtol=1e-12
    )


def test_rank_correlation():
    maps = np.random.default_rng(0).uniform(size=(2, 5, 5))
    np.testing.assert_allclose(interpret.rank_correlation(maps, maps**3), [1.0, 1.0])
    np.testing.assert_allclose(interpret.rank_correlation(maps, 1 / maps), [-1.0, -1.0])
    # a constant map ranks nothing: 0 against a map that ranks, 1 against another
    # constant map; never NaN, so no average can drop it
    empty = np.zeros((2, 5, 5))
    np.testing.assert_array_equal(interpret.rank_correlation(empty, maps), [0.0, 0.0])
    np.testing.assert_array_equal(interpret.rank_correlation(maps, empty), [0.0, 0.0])
    np.testing.assert_array_equal(
        interpret.rank_correlation(empty, np.full((2, 5, 5), 3.0)), [1.0, 1.0]
    )
    np.testing.assert_array_equal(
        interpret.constant_maps(np.stack([maps[0], empty[0]])), [False, True]
    )
    with pytest.raises(ValueError, match="NaN or infinite"):
        interpret.rank_correlation(maps, np.full((2, 5, 5), np.nan))


def test_randomised_copy_changes_only_the_named_layers(smooth_model):
    original = [w.copy() for w in smooth_model.get_weights()]
    names = interpret.layer_names(smooth_model)
    copy = interpret.randomised_copy(smooth_model, [4], seed=1)
    for name in names[:4]:
        for a, b in zip(
            smooth_model.get_layer(name).get_weights(),
            copy.get_layer(name).get_weights(),
        ):
            np.testing.assert_array_equal(a, b)
    kernel, bias = copy.get_layer(names[4]).get_weights()
    old_kernel, old_bias = smooth_model.get_layer(names[4]).get_weights()
    assert not np.allclose(kernel, old_kernel) and not np.allclose(bias, old_bias)
    # drawn again from the layer's own initialisers: Glorot-uniform, uniform(-0.3, 0.3)
    limit = np.sqrt(6 / sum(kernel.shape))
    assert np.abs(kernel).max() <= limit and kernel.std() > limit / 3
    assert np.abs(bias).max() <= 0.3 and bias.std() > 0
    for a, b in zip(original, smooth_model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_cascading_randomisation_separates_explanations_from_edge_detectors(
    smooth_model, images
):
    control = interpret.cascading_randomisation(smooth_model, images, interpret.edges)
    assert [len(step) for step in control.randomised] == [0, 1, 2, 3]
    assert control.randomised[1] == [interpret.layer_names(smooth_model)[4]]
    np.testing.assert_array_equal(
        control.maps, np.broadcast_to(control.maps[0], control.maps.shape)
    )
    np.testing.assert_allclose(control.similarity, 1.0, rtol=1e-12)

    gradients = interpret.cascading_randomisation(
        smooth_model, images, interpret.saliency, seed=7
    )
    assert gradients.maps.shape == (4, 3, 8, 8)
    np.testing.assert_allclose(gradients.similarity[0], 1.0, rtol=1e-12)
    assert gradients.similarity[-1].mean() < 0.8
    np.testing.assert_allclose(
        gradients.similarity[2],
        interpret.rank_correlation(gradients.maps[0], gradients.maps[2]),
    )


def test_model_receptive_field_is_chapter_fours_formula():
    from labsupport.models import mnist_cnn

    model = mnist_cnn(seed=0)
    by_hand = arith.receptive_field(
        [
            arith.Layer(5, 1, 2),
            arith.Layer(2, 2),
            arith.Layer(5, 1, 2),
            arith.Layer(2, 2),
        ]
    )
    assert interpret.model_receptive_field(model, 3) == (by_hand, by_hand)
    assert interpret.model_receptive_field(model, 0)[0] == arith.receptive_field(
        [arith.Layer(5, 1, 2)]
    )
    with pytest.raises(ValueError, match="flatten"):
        interpret.model_receptive_field(model, -1)


@pytest.mark.parametrize("position", [(3, 3), (0, 0), (6, 2)])
def test_gradient_support_of_a_positive_network_is_the_formulas_window(position):
    # positive weights, no ReLU: every path carries gradient, the support is the field
    ones = dict(kernel_initializer="ones", use_bias=False)
    layers = [
        keras.layers.Conv2D(1, 5, padding="same", **ones),
        keras.layers.AveragePooling2D(2),
        keras.layers.Conv2D(1, 3, padding="same", **ones),
        keras.layers.AveragePooling2D(2),
    ]
    model = sequential(layers, (28, 28, 1), dtype="float32")
    rows_field, cols_field = interpret.model_receptive_field(model, 3)
    gradient = interpret.unit_input_gradient(
        model, np.ones((1, 28, 28, 1)), 3, position
    )[0, :, :, 0]
    rows, cols = np.nonzero(gradient)
    assert (rows.min(), rows.max()) == interpret.field_window(
        rows_field, position[0], 28
    )
    assert (cols.min(), cols.max()) == interpret.field_window(
        cols_field, position[1], 28
    )


def test_bad_arguments_are_named(smooth_model, images):
    with pytest.raises(ValueError, match="layer='nope'"):
        interpret.grad_cam(smooth_model, images, "nope")
    with pytest.raises(ValueError, match="layers=9"):
        interpret.activations(smooth_model, images, [9])
    with pytest.raises(ValueError, match=r"classes=7.*0\.\.4"):
        interpret.input_gradient(smooth_model, images, 7)
    with pytest.raises(ValueError, match="patch=9"):
        interpret.occlusion(smooth_model, images, patch=9)
    with pytest.raises(ValueError, match="images has shape"):
        interpret.saliency(smooth_model, images[0])
    with pytest.raises(ValueError, match="filters=.*4 channels"):
        interpret.filter_visualisation(smooth_model, 2, [4], steps=1)
    with pytest.raises(ValueError, match=r"position=\(4, 0\).*2 x 2"):
        interpret.filter_visualisation(smooth_model, 2, [0], steps=1, position=(4, 0))
    with pytest.raises(ValueError, match="expected feature maps"):
        interpret.grad_cam(smooth_model, images, 4)
    with pytest.raises(ValueError, match="position=.*8 x 8"):
        interpret.unit_input_gradient(smooth_model, images, 0, (8, 0))


def batch_norm_layers():
    return [
        keras.layers.Conv2D(4, 3, padding="same", name="conv"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.ReLU(),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(3, name="out"),
    ]


@pytest.mark.parametrize("build", [sequential, functional])
def test_randomised_copy_redraws_batch_normalisation_from_its_own_initialisers(build):
    model = build(batch_norm_layers(), (6, 6, 1), dtype="float32")
    x = np.random.default_rng(0).uniform(0, 1, (8, 6, 6, 1)).astype("float32")
    bn = model.get_layer("bn")
    # a trained-looking state: every batch-norm weight far from its initial value
    bn.set_weights([np.full(4, 3.0), np.full(4, -2.0), np.full(4, 5.0), np.full(4, 7.0)])
    before = [w.copy() for w in model.get_weights()]
    copy = interpret.randomised_copy(model, ["bn", "conv"], seed=3)
    gamma, beta, mean, variance = copy.get_layer("bn").get_weights()
    np.testing.assert_array_equal(gamma, 1.0)  # Keras' defaults, not zeros
    np.testing.assert_array_equal(beta, 0.0)
    np.testing.assert_array_equal(mean, 0.0)
    np.testing.assert_array_equal(variance, 1.0)
    # batch norm at inference is then (almost) the identity, so it passes the
    # convolution's output through: the explanations after it are not constant
    conv_out = interpret.activations(copy, x, ["conv"])["conv"]
    bn_out = interpret.activations(copy, x, ["bn"])["bn"]
    np.testing.assert_allclose(bn_out, conv_out / np.sqrt(1 + bn.epsilon), rtol=1e-5)
    assert bn_out.std() > 0 and interpret.saliency(copy, x).std() > 0
    kernel, bias = copy.get_layer("conv").get_weights()
    limit = np.sqrt(6 / (9 * 1 + 9 * 4))  # Glorot-uniform, Conv2D's default
    assert np.abs(kernel).max() <= limit and kernel.std() > limit / 3
    np.testing.assert_array_equal(bias, 0.0)  # Conv2D's default bias initialiser
    np.testing.assert_array_equal(
        copy.get_layer("out").get_weights()[0], model.get_layer("out").get_weights()[0]
    )
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # the model itself is untouched
    again = interpret.randomised_copy(model, ["conv"], seed=3)
    other = interpret.randomised_copy(model, ["conv"], seed=4)
    np.testing.assert_array_equal(
        again.get_layer("conv").get_weights()[0],
        interpret.randomised_copy(model, ["conv"], seed=3).get_layer("conv").get_weights()[0],
    )
    assert not np.allclose(
        again.get_layer("conv").get_weights()[0], other.get_layer("conv").get_weights()[0]
    )


def test_the_sanity_check_reports_an_empty_grad_cam_instead_of_dropping_it():
    size = 8
    kernel = np.array([[[[0.5, 2.0]]]], dtype="float32")
    dense = np.array([[1.0, -1.0], [0.25, -2.0]], dtype="float32")
    # the corner model without its mask (a Lambda layer, which Keras will not clone)
    layers = corner_layers(np.ones((1, size, size, 1)), kernel, dense)[1:]
    layers[-1] = keras.layers.Dense(
        2, use_bias=False, kernel_initializer=keras.initializers.GlorotUniform(seed=0)
    )
    model = sequential(layers, (size, size, 1), dtype="float32")
    model.layers[-1].set_weights([dense])
    x = np.random.default_rng(1).uniform(0.1, 1.0, (2, size, size, 1)).astype("float32")

    def cam(net, images, classes):
        return interpret.grad_cam(net, images, "features", classes)

    # class 1 gets only negative evidence: its Grad-CAM is empty (all zero) on the
    # intact model; redrawing the dense layer (seed 3) gives it positive evidence
    check = interpret.cascading_randomisation(model, x, cam, classes=1, seed=3)
    assert check.constant[0].all() and not np.isnan(check.similarity).any()
    np.testing.assert_array_equal(check.similarity[0], 1.0)
    changed = ~check.constant[1]
    assert changed.any()
    np.testing.assert_array_equal(check.similarity[1][changed], 0.0)
    assert check.similarity.shape == check.constant.shape == (3, 2)

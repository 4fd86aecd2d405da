"""labsupport.arith, pooling and check against the shapes and counts Keras reports."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import assume, given
from hypothesis import strategies as st

from labsupport import arith, check, pooling, widgets

sizes = st.integers(1, 20)
kernels = st.integers(1, 6)
strides = st.integers(1, 4)
dilations = st.integers(1, 3)
pads = st.integers(0, 3)


def shape_of(*layers, input_shape):
    return tuple(keras.Sequential([keras.Input(input_shape), *layers]).output_shape[1:])


@given(sizes, sizes, kernels, pads, strides, dilations)
def test_conv_output_size_matches_keras_conv2d(rows, cols, k, p, s, d):
    assume(s == 1 or d == 1)  # Keras refuses strides and dilation together
    assume(arith.effective_kernel(k, d) <= min(rows, cols) + 2 * p)
    expected = shape_of(keras.layers.ZeroPadding2D(p), keras.layers.Conv2D(1, k, strides=s, dilation_rate=d),
                        input_shape=(rows, cols, 1))[:2]
    assert arith.conv_output_size((rows, cols), k, p, s, d) == expected


@given(sizes, kernels, pads, strides, dilations)
def test_conv_output_size_matches_keras_conv1d(i, k, p, s, d):
    assume(s == 1 or d == 1)
    assume(arith.effective_kernel(k, d) <= i + 2 * p)
    expected = shape_of(keras.layers.ZeroPadding1D(p), keras.layers.Conv1D(1, k, strides=s, dilation_rate=d),
                        input_shape=(i, 1))[0]
    assert arith.conv_output_size(i, k, p, s, d) == expected


@given(sizes, kernels, strides, dilations, st.sampled_from(["valid", "same"]))
def test_same_padding_matches_tf_nn_conv2d(i, k, s, d, mode):
    assume(s == 1 or d == 1)
    before, after = arith.same_padding(i, k, s, d)
    x = tf.random.stateless_normal((1, i, 1, 1), seed=(i, k))
    w = tf.random.stateless_normal((k, 1, 1, 1), seed=(k, s))
    same = tf.nn.conv2d(x, w, strides=s, padding="SAME", dilations=d)
    explicit = tf.nn.conv2d(x, w, strides=s, padding=[[0, 0], [before, after], [0, 0], [0, 0]], dilations=d)
    np.testing.assert_allclose(same.numpy(), explicit.numpy(), atol=1e-5)
    assert same.shape[1] == -(-i // s)


@given(sizes, kernels, st.one_of(st.none(), strides), st.sampled_from(["max", "avg"]), st.sampled_from(["valid", "same"]))
def test_pooling_matches_keras_layers(i, k, s, mode, padding):
    assume(padding == "same" or k <= i)
    layer = (keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D)(k, strides=s, padding=padding)
    x = np.random.default_rng(i * 31 + k).normal(size=(2, i, i + 1, 3)).astype("float32")
    expected = np.asarray(layer(x))
    ours = pooling.pool2d(x, k, s, padding, mode)
    np.testing.assert_allclose(ours, expected, atol=1e-5)
    if padding == "valid":
        assert expected.shape[1:3] == arith.pool_output_size((i, i + 1), k, s=s)
        np.testing.assert_allclose(pooling.pool2d_loop(x[0, :, :, 0], k, s, mode), ours[0, :, :, 0], atol=1e-12)


@given(st.integers(1, 8), kernels, strides, dilations, st.integers(0, 3), pads)
def test_transposed_output_size_matches_keras(i, k, s, d, output_padding, p):
    assume(s == 1 or d == 1)
    assume(output_padding < s)
    k_eff = arith.effective_kernel(k, d)
    assume((i - 1) * s + k_eff + output_padding - 2 * p >= 1)
    layers = [keras.layers.Conv2DTranspose(1, k, strides=s, dilation_rate=d, padding="valid",
                                           output_padding=output_padding)]
    if p:
        layers.append(keras.layers.Cropping2D(p))
    expected = shape_of(*layers, input_shape=(i, i, 1))[0]
    assert arith.transposed_output_size(i, k, p, s, output_padding, d) == expected


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 4), st.integers(1, 6), st.booleans())
def test_param_counts_match_keras(kh, kw, c_in, c_out, bias):
    model = keras.Sequential([keras.Input((8, 8, c_in)), keras.layers.Conv2D(c_out, (kh, kw), use_bias=bias)])
    assert arith.conv_params(kh, kw, c_in, c_out, bias) == model.count_params()
    assert check.params(model.count_params(), kh, kw, c_in, c_out, bias)


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 2)), min_size=1, max_size=4))
def test_receptive_field_matches_the_gradient_of_a_keras_stack(specs):
    # TensorFlow 2.21's oneDNN kernels crash (segfault or abort, sometimes only later in the
    # process) on input gradients of convolutions whose stride exceeds the kernel, e.g. two
    # 1x1 stride-2 layers; TF_ENABLE_ONEDNN_OPTS=0 avoids it. Those stacks are left out.
    assume(all(k >= s for k, s in specs))
    size = 40
    layers = [keras.layers.Conv2D(1, k, strides=s, kernel_initializer="ones", use_bias=False) for k, s in specs]
    model = keras.Sequential([keras.Input((size, size, 1)), *layers])
    assume(all(dim > 0 for dim in model.output_shape[1:3]))
    x = tf.Variable(tf.ones((1, size, size, 1)))
    with tf.GradientTape() as tape:
        output = model(x)[0, 0, 0, 0]  # the first output pixel
    seen = np.nonzero(tape.gradient(output, x).numpy()[0, :, :, 0])
    field = arith.receptive_field([arith.Layer(k, s) for k, s in specs])
    assert seen[0].max() - seen[0].min() + 1 == field.size
    assert (seen[0].min() + seen[0].max()) / 2 == field.start
    if len(model.output_shape) and model.output_shape[1] > 1:
        with tf.GradientTape() as tape:
            second = model(x)[0, 1, 0, 0]
        rows = np.nonzero(tape.gradient(second, x).numpy()[0, :, :, 0])[0]
        assert rows.min() - seen[0].min() == field.jump


def test_unread_inputs_get_no_gradient():
    layer = keras.layers.Conv2D(1, 3, strides=2, kernel_initializer="ones")
    x = tf.Variable(tf.ones((1, 6, 6, 1)))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer(x))
    never = np.nonzero(tape.gradient(total, x).numpy()[0, :, 0, 0] == 0)[0].tolist()
    assert never == arith.unread_inputs(6, 3, s=2) == [5]


def test_pairs_give_pairs_and_ints_give_ints():
    assert arith.conv_output_size(9, (3, 5), p=(1, 0)) == (9, 5)
    assert arith.same_padding((6, 5), 3, s=2) == ((0, 1), (1, 1))
    assert isinstance(arith.pool_output_size(8, 2), int)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: arith.conv_output_size(5, 0), "k=0"),
        (lambda: arith.conv_output_size(5, 3, s=0), "s=0"),
        (lambda: arith.conv_output_size(5, 3, d=0), "d=0"),
        (lambda: arith.conv_output_size(5, 3, p=-1), "p=-1"),
        (lambda: arith.conv_output_size(5, 4, d=2), "spans 7 pixels"),
        (lambda: arith.pool_output_size(3, 4), "spans 4 pixels"),
        (lambda: arith.transposed_output_size(3, 3, s=2, output_padding=2), "output_padding=2"),
        (lambda: arith.same_padding(5, 3, s=0), "s=0"),
        (lambda: arith.conv_output_size((5, 5, 5), 3), r"expected an integer or a \(rows, cols\) pair"),
        (lambda: arith.receptive_field([(3, 0)]), r"layers\[0\].stride=0"),
        (lambda: arith.geometry("deconvolution", 5, 3), "operation='deconvolution'"),
        (lambda: pooling.pool2d(np.ones((4, 4)), 2, mode="median"), "mode='median'"),
        (lambda: pooling.pool2d(np.ones((4, 4)), 2, padding=1), "padding=1"),
    ],
)
def test_bad_input_names_the_argument(call, fragment):
    with pytest.raises(ValueError, match=fragment) as error:
        call()
    assert "expected" in str(error.value)


def test_pool_output_size_refuses_the_ambiguous_positional_order():
    # conv_output_size's third argument is the padding; pooling's used to be the stride
    assert arith.conv_output_size(7, 3, 1) == 7
    with pytest.raises(TypeError, match=r"expected s and p as keywords") as error:
        arith.pool_output_size(7, 3, 1)
    assert "conv_output_size" in str(error.value)
    assert arith.pool_output_size(7, 3, s=1) == 5 and arith.pool_output_size(7, 3, p=1) == 3
    assert arith.pool_output_size(7, 3, s=1, p=1) == arith.conv_output_size(7, 3, p=1, s=1)


def test_pooling_stride_defaults_to_the_window_everywhere():
    # Keras' MaxPooling2D(3) strides by 3; formula, geometry and pool_output_size agree with it
    keras_size = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.MaxPooling2D(3)]).output_shape[1]
    assert arith.pool_output_size(5, 3) == keras_size == 1
    assert arith.formula("pooling", 5, 3).endswith(f"= {keras_size}")
    assert arith.geometry("pooling", 5, 3).s == 3 and arith.geometry("pooling", 5, 3).output_size == keras_size
    assert arith.geometry("convolution", 5, 3).s == 1 and arith.formula("convolution", 5, 3).endswith("= 3")
    assert arith.geometry("pooling", 5, 3, s=1).output_size == 3


@given(st.integers(1, 12), kernels, pads, strides, dilations)
def test_checks_accept_the_right_answer_and_explain_a_missing_floor(i, k, p, s, d):
    assume(arith.effective_kernel(k, d) <= i + 2 * p)
    right = arith.conv_output_size(i, k, p, s, d)
    assert check.output_size(right, i, k, p, s, d)
    unfloored = (i + 2 * p - arith.effective_kernel(k, d)) / s + 1
    if unfloored != right:
        verdict = check.output_size(unfloored, i, k, p, s, d)
        assert not verdict and "floor" in verdict.message


def test_checks_name_the_mistake():
    assert "both sides" in check.output_size(2, i=5, k=3, p=1, s=2).message
    assert "dilated" in check.output_size(5, i=7, k=3, d=2).message
    assert "bias" in check.params(864, 3, 3, 3, 32).message
    assert "input channels" in check.params(320, 3, 3, 3, 32).message
    assert "after" in check.same_padding((1, 0), 6, 3, s=2).message
    assert check.same_padding([0, 1], 6, 3, s=2)
    assert "jump" in check.receptive_field_size(5, [(3, 2), (3, 1)]).message
    assert check.receptive_field_size(7, [(3, 2), (3, 1)])
    assert check.transposed_output_size(5, 3, 3, p=1, s=2)
    assert "2p" in check.transposed_output_size(7, 3, 3, p=1, s=2).message


def test_arithmetic_explorer_follows_its_controls():
    explorer = widgets.arithmetic_explorer(i=6, k=3, p=0, s=2)
    assert explorer.formula_label.value.endswith("= 2") and explorer.controls["step"].max == 3
    explorer.controls["operation"].value = "transposed"
    assert explorer.formula_label.value.endswith(f"= {arith.transposed_output_size(6, 3, 0, 2)}")
    explorer.controls["operation"].value = "pooling"
    explorer.controls["k"].value = 2
    assert explorer.formula_label.value.endswith("= 3")
    explorer.controls["step"].value = 8
    assert bytes(explorer.picture.value).startswith(b"\x89PNG")
    explorer.controls["i"].value = 1
    assert "expected" in explorer.formula_label.value and bytes(explorer.picture.value) == b""


@given(st.sampled_from(["convolution", "pooling", "transposed"]), st.integers(1, 6), st.integers(1, 4),
       st.integers(0, 2), st.integers(1, 3), st.integers(1, 2))
def test_geometry_windows_cover_the_grid_like_the_formula_says(operation, i, k, p, s, d):
    if operation == "pooling":
        d = 1
    try:
        g = arith.geometry(operation, i, k, p, s, d)
    except ValueError:
        return
    last = g.window(g.output_size - 1)
    assert last.max() < g.cells.size  # the last window fits
    assert g.window(g.output_size)[-1] >= g.cells.size  # one more would not

"""The step-by-step views (slide, animation, widget) against labsupport.conv."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labsupport import animate, conv, equivariance, kernels, widgets
from labsupport.datasets import load_sample_photo
from labsupport.sliding import equation, slide


@given(
    st.integers(2, 6), st.integers(2, 6), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2),
    st.integers(1, 2), st.integers(1, 2), st.sampled_from(["correlate", "convolve"]), st.integers(0, 2**31 - 1),
)
def test_slide_reproduces_correlate_and_convolve(h, w, kh, kw, padding, stride, dilation, operation, seed):
    rng = np.random.default_rng(seed)
    x, k = rng.normal(size=(h, w)), rng.normal(size=(kh, kw))
    try:
        reference = (conv.correlate2d if operation == "correlate" else conv.convolve2d)(x, k, padding, stride, dilation)
    except ValueError:
        with pytest.raises(ValueError):
            slide(x, k, padding, stride, dilation, operation)
        return
    sliding = slide(x, k, padding, stride, dilation, operation)
    np.testing.assert_allclose(sliding.output, reference, atol=1e-12)
    assert len(sliding.steps) == reference.size
    for step in sliding.steps:
        np.testing.assert_allclose(sliding.padded[np.ix_(step.rows, step.cols)], step.patch)


def test_same_padding_of_a_convolution_slides_like_scipy():
    x, k = np.arange(20.0).reshape(4, 5), np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(slide(x, k, "same", operation="convolve").output, conv.convolve2d(x, k, "same"))


def test_equation_writes_every_product():
    step = slide([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 2], [3, 4]], operation="convolve").steps[0]
    assert equation(step) == "1·4 + 2·3 + 4·2 + 5·1 = 23"


def test_unknown_operation_is_refused():
    with pytest.raises(ValueError, match="operation='flip'"):
        slide(np.ones((3, 3)), np.ones((2, 2)), operation="flip")


def test_animation_has_one_frame_per_output_and_draws_each():
    sliding = slide(np.arange(16.0).reshape(4, 4), np.ones((3, 3)), padding=1, stride=2)
    animation = animate.sliding_window_animation(sliding)
    frames = list(animation.new_frame_seq())
    assert len(frames) == sliding.output.size == 4
    html = animation.to_jshtml()
    assert html.count("data:image/png;base64") >= 4


def test_widget_follows_its_slider():
    x, k = np.arange(9.0).reshape(3, 3), np.array([[0.0, 1.0], [2.0, 3.0]])
    explorer = widgets.sliding_window_explorer(x, k)
    pictures = []
    for position, expected in enumerate([19, 25, 37, 43]):
        explorer.step.value = position
        assert explorer.sum_label.value.endswith(f"= {expected}")
        pictures.append(bytes(explorer.picture.value))
    assert explorer.step.max == 3
    assert all(picture.startswith(b"\x89PNG") for picture in pictures)
    assert len(set(pictures)) == 4  # each step draws a different picture


@given(st.integers(3, 9), st.integers(3, 9), st.sampled_from([1, 3, 5]), st.integers(0, 4), st.integers(0, 4),
       st.integers(0, 2**31 - 1))
def test_predicted_equivariance_breaks_match_measurement(rows, cols, size, dy, dx, seed):
    rng = np.random.default_rng(seed)
    image, k = rng.normal(size=(rows, cols)), rng.normal(size=(size, size))
    shift = (min(dy, rows - 1), min(dx, cols - 1))
    shift_then_filter = conv.correlate2d(equivariance.translate(image, shift), k, "same")
    filter_then_shift = equivariance.translate(conv.correlate2d(image, k, "same"), shift)
    measured = ~np.isclose(shift_then_filter, filter_then_shift, atol=1e-9)
    np.testing.assert_array_equal(measured, equivariance.broken_by_zero_padding(image.shape, size, shift))


def test_circular_translation_commutes_with_circular_correlation():
    rng = np.random.default_rng(0)
    image, k = rng.normal(size=(7, 9)), rng.normal(size=(3, 3))
    for shift in [(1, 0), (3, 5), (6, 8)]:
        np.testing.assert_allclose(
            conv.correlate2d(equivariance.translate(image, shift, "wrap"), k, "same", boundary="wrap"),
            equivariance.translate(conv.correlate2d(image, k, "same", boundary="wrap"), shift, "wrap"),
        )


def test_translate_refuses_negative_shifts_and_unknown_boundaries():
    with pytest.raises(ValueError, match=r"shift\[0\]=-1"):
        equivariance.translate(np.ones((3, 3)), (-1, 0))
    with pytest.raises(ValueError, match="boundary='mirror'"):
        equivariance.translate(np.ones((3, 3)), (1, 0), boundary="mirror")


def test_classic_kernels_are_the_textbook_ones():
    import scipy.ndimage

    # SciPy's Sobel along axis 1 correlates with the same weights as SOBEL_X (times -1: it convolves)
    image = np.random.default_rng(1).normal(size=(6, 7))
    np.testing.assert_allclose(
        scipy.ndimage.sobel(image, axis=1, mode="constant")[1:-1, 1:-1], conv.correlate2d(image, kernels.SOBEL_X)
    )
    np.testing.assert_allclose(kernels.gaussian_kernel(3, 0.8493218), kernels.GAUSSIAN_BLUR, atol=0.002)


def test_sample_photo_is_grey_in_unit_range_and_shrinks_by_block_averages():
    full = load_sample_photo("china.jpg")
    small = load_sample_photo("china.jpg", max_side=160)
    assert full.shape == (427, 640) and small.shape == (106, 160)
    assert 0 <= full.min() and full.max() <= 1
    np.testing.assert_allclose(small[0, 0], full[:4, :4].mean())
    with pytest.raises(ValueError, match="name='cat.jpg'"):
        load_sample_photo("cat.jpg")

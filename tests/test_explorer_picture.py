"""Chapter 4's arithmetic explorer: its picture keeps its natural size and hides itself
for an impossible setting (no broken-image icon under the message)."""

import io

from PIL import Image

from labsupport.widgets import arithmetic_explorer


def test_picture_is_shown_at_the_png_s_own_width_and_not_stretched():
    explorer = arithmetic_explorer(i=5, k=3, p=1, s=2)
    width, _ = Image.open(io.BytesIO(explorer.picture.value)).size
    assert explorer.picture.width == str(width)
    assert explorer.picture.layout.align_self == "flex-start"
    assert explorer.picture.layout.display is None


def test_an_impossible_setting_hides_the_picture_and_a_possible_one_shows_it_again():
    explorer = arithmetic_explorer(i=5, k=3, p=0, s=1)
    explorer.controls["k"].value = 9  # larger than the input: impossible
    assert "k" in explorer.formula_label.value
    assert explorer.picture.layout.display == "none"
    explorer.controls["k"].value = 2
    assert explorer.picture.layout.display is None
    width, _ = Image.open(io.BytesIO(explorer.picture.value)).size
    assert explorer.picture.width == str(width)

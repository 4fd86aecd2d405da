"""Interactive explorers for a live notebook. Each has a static twin in ``animate``."""

from __future__ import annotations

from .sliding import slide


def sliding_window_explorer(x, k, padding="valid", stride=1, dilation=1, operation="correlate"):
    """A slider that steps a kernel across `x`, drawing the window and writing out the sum.

    Returns an ``ipywidgets.VBox``; its ``step`` attribute is the slider, its
    ``sum_label`` the written-out sum and its ``picture`` the drawing, so code can
    drive it too.

    Examples
    --------
    >>> explorer = sliding_window_explorer([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    >>> explorer.step.value = 3
    >>> explorer.sum_label.value
    '4·0 + 5·1 + 7·2 + 8·3 = 43'
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from .animate import draw_step
    from .sliding import equation

    sliding = slide(x, k, padding, stride, dilation, operation)
    step = widgets.IntSlider(value=0, min=0, max=len(sliding.steps) - 1, description="step")
    sum_label = widgets.Label()
    picture = widgets.Image(format="png")

    def show(change=None):
        sum_label.value = equation(sliding.steps[step.value])
        fig, axes = plt.subplots(1, 3, figsize=(8.5, 3.2))
        draw_step(axes, sliding, step.value)
        picture.value = figure_png(fig)

    step.observe(show, names="value")
    show()
    box = widgets.VBox([step, sum_label, picture])
    box.step, box.sum_label, box.picture, box.sliding = step, sum_label, picture, sliding
    return box


def figure_png(fig) -> bytes:
    """A figure as PNG bytes, closed afterwards so it is not shown twice."""
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()

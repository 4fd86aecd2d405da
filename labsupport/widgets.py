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

    from .animate import draw_step, sliding_axes
    from .sliding import equation

    sliding = slide(x, k, padding, stride, dilation, operation)
    step = widgets.IntSlider(value=0, min=0, max=len(sliding.steps) - 1, description="step")
    sum_label = widgets.Label()
    # align_self: a flex box would otherwise stretch the picture to its own width.
    picture = widgets.Image(format="png", layout=widgets.Layout(align_self="flex-start",
                                                                max_width="100%"))

    def show(change=None):
        sum_label.value = equation(sliding.steps[step.value])
        fig, axes = sliding_axes(sliding)
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


def arithmetic_explorer(i=5, k=3, p=1, s=2, d=1, operation="convolution"):
    """Sliders for i, k, p, s, d and the operation; draws the windows and writes out the formula.

    Impossible settings (a kernel larger than the padded input, say) show the error
    message and hide the drawing. The drawing keeps its natural size (its width in
    pixels, never stretched to the box), so its text stays sharp. The returned
    ``VBox`` exposes ``controls`` (a dict of the widgets), ``formula_label`` and
    ``picture``.

    Examples
    --------
    >>> explorer = arithmetic_explorer(i=5, k=3, p=1, s=2)
    >>> explorer.formula_label.value.endswith("= 3"), explorer.controls["step"].max
    (True, 8)
    >>> explorer.controls["k"].value = 9
    >>> explorer.formula_label.value.startswith("k=9"), explorer.picture.layout.display
    (True, 'none')
    """
    import ipywidgets as widgets

    from .animate import draw_geometry, geometry_axes
    from .arith import formula, geometry

    controls = {
        "operation": widgets.Dropdown(options=["convolution", "transposed", "pooling"], value=operation,
                                      description="operation"),
        "i": widgets.IntSlider(value=i, min=1, max=9, description="input i"),
        "k": widgets.IntSlider(value=k, min=1, max=9, description="kernel k"),
        "p": widgets.IntSlider(value=p, min=0, max=4, description="padding p"),
        "s": widgets.IntSlider(value=s, min=1, max=4, description="stride s"),
        "d": widgets.IntSlider(value=d, min=1, max=3, description="dilation d"),
        "step": widgets.IntSlider(value=0, min=0, max=0, description="step"),
    }
    formula_label = widgets.Label()
    # align_self: a flex box would otherwise stretch the picture to its own width.
    picture = widgets.Image(format="png", layout=widgets.Layout(align_self="flex-start",
                                                                max_width="100%"))
    state = {}

    def settings():
        return {name: controls[name].value for name in ("operation", "i", "k", "p", "s", "d")}

    def rebuild(change=None):
        chosen = settings()
        try:
            state["geometry"] = geometry(**chosen)
            formula_label.value = formula(**chosen)
        except ValueError as error:
            state["geometry"] = None
            formula_label.value = str(error)
            picture.layout.display = "none"
            picture.value = b""
            return
        steps = state["geometry"].output_size ** 2
        controls["step"].max = steps - 1
        controls["step"].value = min(controls["step"].value, steps - 1)
        redraw()

    def redraw(change=None):
        if state.get("geometry") is None:
            return
        g = state["geometry"]
        fig, axes = geometry_axes(g)
        draw_geometry(axes, g, controls["step"].value)
        png = figure_png(fig)
        picture.width = str(int.from_bytes(png[16:20], "big"))  # the PNG's IHDR width
        picture.value = png
        picture.layout.display = None

    for name in ("operation", "i", "k", "p", "s", "d"):
        controls[name].observe(rebuild, names="value")
    controls["step"].observe(redraw, names="value")
    rebuild()
    box = widgets.VBox([widgets.HBox([controls["operation"], controls["step"]]),
                        widgets.HBox([controls["i"], controls["k"], controls["p"]]),
                        widgets.HBox([controls["s"], controls["d"]]), formula_label, picture])
    box.controls, box.formula_label, box.picture = controls, formula_label, picture
    return box

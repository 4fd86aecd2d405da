"""Drawings and animations of a kernel sliding over an input."""

from __future__ import annotations

import numpy as np

from .sliding import Sliding, equation


def _grid(ax, values, title, highlight=None, shade=None, hidden=None):
    """Draw a small matrix as labelled cells; highlight a set of (row, col) cells."""
    rows, cols = values.shape
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    for r in range(rows):
        for c in range(cols):
            face = "white"
            if shade is not None and shade[r, c]:
                face = "#e8e8e8"
            if highlight is not None and (r, c) in highlight:
                face = "#ffd27f"
            ax.add_patch(_rectangle((c - 0.5, r - 0.5), face))
            if hidden is None or not hidden[r, c]:
                ax.text(c, r, f"{values[r, c]:g}", ha="center", va="center", fontsize=9)


def _rectangle(corner, face):
    from matplotlib.patches import Rectangle

    return Rectangle(corner, 1, 1, facecolor=face, edgecolor="#555555", linewidth=0.8)


def draw_step(axes, sliding: Sliding, index: int) -> None:
    """Draw step `index` on three axes: padded input, kernel, output so far."""
    step = sliding.steps[index]
    padded_rows, padded_cols = sliding.padded.shape
    (top, _), (left, _) = sliding.pads
    is_padding = np.ones(sliding.padded.shape, dtype=bool)
    inner_rows = padded_rows - sum(sliding.pads[0])
    inner_cols = padded_cols - sum(sliding.pads[1])
    is_padding[top : top + inner_rows, left : left + inner_cols] = False
    window = {(r, c) for r in step.rows for c in step.cols}
    for ax in axes:
        ax.clear()
    _grid(axes[0], sliding.padded, "input (grey: padding)", highlight=window, shade=is_padding)
    kernel_title = "kernel" if sliding.operation == "correlate" else "kernel, flipped"
    _grid(axes[1], sliding.kernel, kernel_title, highlight={(r, c) for r in range(step.weights.shape[0]) for c in range(step.weights.shape[1])})
    done = np.zeros(sliding.output.shape, dtype=bool)
    done.flat[: index + 1] = True
    _grid(axes[2], sliding.output, "output", highlight={step.out_index}, hidden=~done)
    axes[0].figure.suptitle(equation(step), fontsize=10)


def sliding_window_animation(sliding: Sliding, interval: int = 900):
    """A matplotlib animation of every step; ``.to_jshtml()`` plays it in a web page.

    Examples
    --------
    >>> from labsupport.sliding import slide
    >>> animation = sliding_window_animation(slide(np.eye(3), np.ones((2, 2))))
    >>> len(list(animation.new_frame_seq()))  # one frame per output value
    4
    >>> "<script" in animation.to_jshtml()
    True
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, axes = plt.subplots(1, 3, figsize=(8.5, 3.2), gridspec_kw={"width_ratios": [
        sliding.padded.shape[1], max(sliding.kernel.shape[1], 2), max(sliding.output.shape[1], 2)]})
    animation = FuncAnimation(
        fig, lambda index: draw_step(axes, sliding, index), frames=len(sliding.steps), interval=interval
    )
    plt.close(fig)  # the animation is shown by its HTML, not as a stray still figure
    return animation


def animation_html(animation):
    """The animation as an IPython HTML object with play controls (JavaScript, no server)."""
    from IPython.display import HTML

    return HTML(animation.to_jshtml(default_mode="once"))

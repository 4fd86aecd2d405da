"""Drawings and animations of a kernel sliding over an input."""

from __future__ import annotations

import re

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
            _cell(ax, r, c, face, edge="#555555")
            if hidden is None or not hidden[r, c]:
                ax.text(c, r, f"{values[r, c]:g}", ha="center", va="center", fontsize=9)


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


def sliding_axes(sliding: Sliding):
    """A figure with three axes sized for :func:`draw_step`: padded input, kernel, output."""
    import matplotlib.pyplot as plt

    return plt.subplots(1, 3, figsize=(8.5, 3.2), gridspec_kw={"width_ratios": [
        sliding.padded.shape[1], max(sliding.kernel.shape[1], 2), max(sliding.output.shape[1], 2)]})


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

    fig, axes = sliding_axes(sliding)
    animation = FuncAnimation(
        fig, lambda index: draw_step(axes, sliding, index), frames=len(sliding.steps), interval=interval
    )
    plt.close(fig)  # the animation is shown by its HTML, not as a stray still figure
    return animation


# matplotlib's player links its button icons from a CDN; the book's theme and
# JupyterLab already serve Font Awesome, and offline the link only fails.
_ICON_CDN = re.compile(r'<link[^>]*font-awesome[^>]*>\s*')


def animation_html(animation, alt: str | None = None):
    """The animation as an IPython HTML object with play controls (JavaScript, no server).

    `alt` becomes the alt text of the player's frame image, for screen readers, and
    the frame slider is labelled "frame" (matplotlib's player leaves it unnamed).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.animation import FuncAnimation
    >>> fig, ax = plt.subplots()
    >>> player = animation_html(FuncAnimation(fig, lambda i: None, frames=2), alt="a test")
    >>> '<img alt="a test"' in player.data and "font-awesome" not in player.data
    True
    >>> 'type="range" aria-label="frame"' in player.data
    True
    >>> plt.close(fig)
    """
    import html

    from IPython.display import HTML

    player = _ICON_CDN.sub("", animation.to_jshtml(default_mode="once"))
    if alt is not None:
        player = player.replace("<img ", f'<img alt="{html.escape(alt)}" ', 1)
    player = player.replace('type="range"', 'type="range" aria-label="frame"', 1)
    return HTML(player)


CELL_COLOURS = {1: "#8ab8e6", 0: "white", 2: "#e4e4e4"}  # input pixel, padding, inserted zero


def _cell(ax, row, col, face, edge="#4d4d4d", style="-", alpha=1.0):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor=face, edgecolor=edge, linestyle=style,
                           linewidth=0.8, alpha=alpha))


def draw_geometry(axes, geometry, step: int) -> None:
    """Draw output `step` of an operation: the grid with the window on it, and the output.

    Blue cells are input pixels, dashed white cells padding, grey cells the zeros a
    transposed convolution inserts; the dark cells are the window.
    """
    grid_ax, out_ax = axes
    n, o = geometry.cells.size, geometry.output_size
    row, col = divmod(step, o)
    window_rows, window_cols = geometry.window(row), geometry.window(col)
    for ax in axes:
        ax.clear()
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    for r in range(n):
        for c in range(n):
            code = min(geometry.cells[r], geometry.cells[c]) if 0 in (geometry.cells[r], geometry.cells[c]) else max(
                geometry.cells[r], geometry.cells[c])
            _cell(grid_ax, r, c, CELL_COLOURS[code], style="--" if code == 0 else "-")
    for r in window_rows:
        for c in window_cols:
            _cell(grid_ax, r, c, "#1d3f66", alpha=0.55)
    grid_ax.set_xlim(-0.6, n - 0.4)
    grid_ax.set_ylim(n - 0.4, -0.6)
    names = {"convolution": "input", "pooling": "input", "transposed": "input, stretched and padded"}
    grid_ax.set_title(names[geometry.operation], fontsize=9)
    for r in range(o):
        for c in range(o):
            index = r * o + c
            face = "#2e7d32" if index == step else ("#9ed69a" if index < step else "white")
            _cell(out_ax, r, c, face)
    out_ax.set_xlim(-0.6, max(o, 2) - 0.4)
    out_ax.set_ylim(max(o, 2) - 0.4, -0.6)
    out_ax.set_title(f"output {o}x{o}", fontsize=9)
    for ax in axes:
        ax.set_axis_off()


def geometry_axes(geometry):
    """A figure with the two axes :func:`draw_geometry` draws on, sized for `geometry`."""
    import matplotlib.pyplot as plt

    n, o = geometry.cells.size, geometry.output_size
    return plt.subplots(1, 2, figsize=(5.6, 2.8), gridspec_kw={"width_ratios": [n, max(o, 2)]})


def geometry_figure(geometry, step: int = 0, title: str | None = None):
    """A still figure of one output step, for a page that cannot play animations."""
    fig, axes = geometry_axes(geometry)
    draw_geometry(axes, geometry, step)
    if title:
        fig.suptitle(title, fontsize=8)
        fig.tight_layout(rect=(0, 0, 1, 0.9))
    else:
        fig.tight_layout()
    return fig


def geometry_animation(geometry, interval: int = 600):
    """Every output step of an operation as an animation; ``animation_html`` plays it in a page.

    Examples
    --------
    >>> from labsupport.arith import geometry
    >>> animation = geometry_animation(geometry("convolution", 4, 3))
    >>> len(list(animation.new_frame_seq())), "<script" in animation.to_jshtml()
    (4, True)
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, axes = geometry_axes(geometry)
    fig.tight_layout()
    animation = FuncAnimation(fig, lambda step: draw_geometry(axes, geometry, step),
                              frames=geometry.output_size**2, interval=interval)
    plt.close(fig)
    return animation

"""Figures the chapters share: grid-search heatmaps, image grids."""

from __future__ import annotations

import math

import numpy as np


def value_label(value) -> str:
    """A tick label: ``$10^{-3}$`` for powers of ten, "yes"/"no" for switches, else the number.

    Examples
    --------
    >>> value_label(0.001), value_label(0.5), value_label(True)
    ('$10^{-3}$', '0.5', 'yes')
    """
    if isinstance(value, bool):  # a bool is an int, and True would read as 10^0
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and value > 0:
        exponent = math.log10(value)
        if abs(exponent - round(exponent)) < 1e-9:
            return f"$10^{{{int(round(exponent))}}}$"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


AXIS_NAMES = {"learning_rate": "learning rate", "l2": r"L2 penalty $\lambda$"}


def text_colour(cmap, value: float, vmin: float = 0.0, vmax: float = 1.0) -> str:
    """Black or white, whichever contrasts more with `cmap`'s colour at `value`.

    Uses the colour's relative luminance, as scikit-learn's
    ``ConfusionMatrixDisplay`` does for its annotations.

    Examples
    --------
    >>> text_colour("viridis", 0.0), text_colour("viridis", 1.0)
    ('white', 'black')
    """
    import matplotlib

    red, green, blue, _ = matplotlib.colormaps[cmap]((value - vmin) / (vmax - vmin))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "black" if luminance > 0.179 else "white"


def grid_heatmap(ax, results, metric: str, rows: str, cols: str, *, select: str, title: str | None = None,
                 cmap: str = "viridis", fontsize: float = 9):
    """One metric of a grid search as an annotated heatmap.

    Diverged cells are hatched and marked "div."; the cell that `select` (the
    selection metric, a validation metric: see :meth:`GridResults.best`) picks
    is framed in red, whichever metric is shown. Axis labels show the grid's
    values (powers of ten as such); annotations contrast with their cell.
    """
    from matplotlib.patches import Rectangle

    table = results.table(metric, rows, cols)
    status = results.status_table(rows, cols)
    image = ax.imshow(np.ma.masked_invalid(table), cmap=cmap, vmin=0, vmax=1, origin="upper")
    best = results.best(select) if any(s == "ok" for s in status.ravel()) else None
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            if status[i, j] == "diverged":
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#dddddd", hatch="///",
                                       edgecolor="#999999"))
                ax.text(j, i, "div.", ha="center", va="center", fontsize=fontsize, color="black",
                        bbox={"facecolor": "#dddddd", "edgecolor": "none", "pad": 1})
            elif np.isfinite(table[i, j]):
                ax.text(j, i, f"{table[i, j]:.2f}", ha="center", va="center", fontsize=fontsize,
                        color=text_colour(cmap, table[i, j]))
    if best is not None:
        i = results.grid[rows].index(best["params"][rows])
        j = results.grid[cols].index(best["params"][cols])
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5))
    ax.set_xticks(range(len(results.grid[cols])), [value_label(v) for v in results.grid[cols]])
    ax.set_yticks(range(len(results.grid[rows])), [value_label(v) for v in results.grid[rows]])
    ax.set_xlabel(AXIS_NAMES.get(cols, cols.replace("_", " ")))
    ax.set_ylabel(AXIS_NAMES.get(rows, rows.replace("_", " ")))
    ax.set_title(title or metric.replace("_", " ").replace("val ", "validation "))
    return image


def grid_heatmaps(results, rows: str, cols: str, metrics, *, select: str, suptitle=None):
    """Several metrics of one grid side by side, each framing the cell that `select` picks.

    The chapters show ``("train_accuracy", "val_accuracy")``: how well each cell
    fits, and how well it generalises to data it did not fit, which is what
    selects. There is no default, for the metrics or the selection.
    """
    import matplotlib.pyplot as plt

    n_rows, n_cols = len(results.grid[rows]), len(results.grid[cols])
    width = 1.4 + 0.75 * n_cols
    fig, axes = plt.subplots(1, len(metrics), figsize=(width * len(metrics) + 0.8, 0.7 * n_rows + 1.5),
                             squeeze=False, layout="constrained")
    for index, (ax, metric) in enumerate(zip(axes[0], metrics)):
        image = grid_heatmap(ax, results, metric, rows, cols, select=select)
        if index:
            ax.set_ylabel("")
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="accuracy")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def image_grid(images, titles=None, columns: int = 8, cmap="gray", size: float = 1.3):
    """Small images in a grid, with optional titles (for samples, mistakes and filters)."""
    import matplotlib.pyplot as plt

    images = list(images)
    rows = max(1, math.ceil(len(images) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows + 0.3 * rows), squeeze=False)
    for index, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if index < len(images):
            ax.imshow(np.asarray(images[index]).squeeze(), cmap=cmap)
            if titles is not None:
                ax.set_title(titles[index], fontsize=8)
    fig.tight_layout()
    return fig

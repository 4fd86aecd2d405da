"""Figures the chapters share: grid-search heatmaps, image grids."""

from __future__ import annotations

import math

import numpy as np


def value_label(value) -> str:
    """A tick label: ``$10^{-3}$`` for powers of ten, else the number.

    Examples
    --------
    >>> value_label(0.001), value_label(0.5)
    ('$10^{-3}$', '0.5')
    """
    if isinstance(value, (int, float)) and value > 0:
        exponent = math.log10(value)
        if abs(exponent - round(exponent)) < 1e-9:
            return f"$10^{{{int(round(exponent))}}}$"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def grid_heatmap(ax, results, metric: str, rows: str, cols: str, title: str | None = None):
    """One metric of a grid search as an annotated heatmap.

    Diverged cells are hatched and labelled "diverged"; the best finished cell
    is framed in red. Axis labels show the grid's values (powers of ten as such).
    """
    from matplotlib.patches import Rectangle

    table = results.table(metric, rows, cols)
    status = results.status_table(rows, cols)
    image = ax.imshow(np.ma.masked_invalid(table), cmap="viridis", vmin=0, vmax=1, origin="upper")
    best = results.best(metric) if any(s == "ok" for s in status.ravel()) else None
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            if status[i, j] == "diverged":
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#dddddd", hatch="///", edgecolor="#999999"))
                ax.text(j, i, "diverged", ha="center", va="center", fontsize=7, color="#aa0000")
            elif np.isfinite(table[i, j]):
                ax.text(j, i, f"{table[i, j]:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if table[i, j] < 0.6 else "black")
    if best is not None:
        i = results.grid[rows].index(best["params"][rows])
        j = results.grid[cols].index(best["params"][cols])
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5))
    ax.set_xticks(range(len(results.grid[cols])), [value_label(v) for v in results.grid[cols]])
    ax.set_yticks(range(len(results.grid[rows])), [value_label(v) for v in results.grid[rows]])
    ax.set_xlabel(cols.replace("_", " "))
    ax.set_ylabel(rows.replace("_", " "))
    ax.set_title(title or metric.replace("_", " "))
    return image


def grid_heatmaps(results, rows: str, cols: str, metrics=("train_accuracy", "test_accuracy"), suptitle=None):
    """Several metrics of one grid side by side (train and test accuracy by default)."""
    import matplotlib.pyplot as plt

    n_rows, n_cols = len(results.grid[rows]), len(results.grid[cols])
    width = 1.6 + 0.8 * n_cols
    fig, axes = plt.subplots(1, len(metrics), figsize=(width * len(metrics) + 1.0, 0.75 * n_rows + 1.6),
                             squeeze=False, layout="constrained")
    for index, (ax, metric) in enumerate(zip(axes[0], metrics)):
        image = grid_heatmap(ax, results, metric, rows, cols)
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

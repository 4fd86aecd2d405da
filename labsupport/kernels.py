"""Classic hand-designed 3x3 kernels: blur, edges, sharpening."""

from __future__ import annotations

import numpy as np

BOX_BLUR = np.full((3, 3), 1.0 / 9.0)
GAUSSIAN_BLUR = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16.0
# Sobel x responds to changes along x (columns): vertical edges
SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
SOBEL_Y = SOBEL_X.T.copy()
# the discrete Laplacians: 4-neighbour and 8-neighbour second differences
LAPLACIAN_4 = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
LAPLACIAN_8 = np.array([[1.0, 1.0, 1.0], [1.0, -8.0, 1.0], [1.0, 1.0, 1.0]])
# the edge detector image-processing texts call "the Laplacian" is its negative,
# positive at a bright spot on a dark background
LAPLACIAN = -LAPLACIAN_8
# sharpening: the image minus its 4-neighbour Laplacian, delta - LAPLACIAN_4
SHARPEN = np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])

CLASSIC = {
    "box blur": BOX_BLUR,
    "Gaussian blur": GAUSSIAN_BLUR,
    "Sobel x": SOBEL_X,
    "Sobel y": SOBEL_Y,
    "negative Laplacian": LAPLACIAN,
    "sharpen": SHARPEN,
}


def gaussian_kernel(size: int, sigma: float) -> np.ndarray:
    """A normalised ``size x size`` Gaussian kernel, sampled at integer offsets.

    Examples
    --------
    >>> float(gaussian_kernel(5, 1.0).sum())
    1.0
    """
    from .validation import ITEM, check_int, check_memory, check_real

    size = check_int("size", size, minimum=1)
    # the formula squares sigma: outside this range the square underflows to 0 or overflows
    check_real("sigma", sigma, minimum=1e-150, maximum=1e150)
    check_memory(3 * ITEM * size * size, "gaussian_kernel", size=size, sigma=sigma)
    offsets = np.arange(size) - (size - 1) / 2
    profile = np.exp(-(offsets**2) / (2 * sigma**2))
    kernel = np.outer(profile, profile)
    return kernel / kernel.sum()

"""The data that ships inside scikit-learn: the 8x8 digits and the sample photographs.

Nothing to find or check: they come with the installed package.
"""

from __future__ import annotations

import numpy as np


def load_digits(scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits bundled with scikit-learn (not MNIST).

    1,797 greyscale images of 8x8 pixels with values 0..16, from the UCI
    "optical recognition of handwritten digits" set.

    Parameters
    ----------
    scale : bool, default True
        Divide the pixel values by 16 so that they lie in [0, 1].

    Returns
    -------
    images : ndarray of float32, shape (1797, 8, 8, 1)
        Channels-last, ready for ``keras.layers.Conv2D``.
    labels : ndarray of int64, shape (1797,)

    Examples
    --------
    >>> images, labels = load_digits()
    >>> images.shape, labels[:5].tolist()
    ((1797, 8, 8, 1), [0, 1, 2, 3, 4])
    """
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = bunch.images.astype(np.float32)[..., np.newaxis]
    if scale:
        images /= 16.0
    return images, bunch.target.astype(np.int64)


def load_sample_photo(name: str = "china.jpg", max_side: int | None = None) -> np.ndarray:
    """A real photograph bundled with scikit-learn, as a grey image in [0, 1].

    Parameters
    ----------
    name : {"china.jpg", "flower.jpg"}
        scikit-learn's two sample images (427 x 640 colour photographs).
    max_side : int, optional
        Shrink by an integer factor, averaging blocks of pixels, until the
        longest side is at most this many pixels.

    Returns
    -------
    ndarray of float64, shape (rows, cols)
        Luminance ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601), divided by 255.

    Examples
    --------
    >>> load_sample_photo(max_side=100).shape
    (61, 91)
    """
    from sklearn.datasets import load_sample_image

    if name not in ("china.jpg", "flower.jpg"):
        raise ValueError(f"name={name!r}: expected 'china.jpg' or 'flower.jpg'")
    rgb = load_sample_image(name).astype(np.float64) / 255.0
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    if max_side is None:
        return grey
    factor = -(-max(grey.shape) // max_side)  # ceil: the smallest factor that fits
    if factor > 1:
        rows, cols = (grey.shape[0] // factor) * factor, (grey.shape[1] // factor) * factor
        blocks = grey[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor)
        grey = blocks.mean(axis=(1, 3))
    return grey

"""A synthetic stand-in for CIFAR-10: ten classes of shapes and textures, labelled as such."""

from __future__ import annotations

import numpy as np

from .cifar10 import CIFAR10, CIFAR10_HOW_TO_GET, CIFAR10_SIDE
from .stand_in import StandIn


CIFAR10_STAND_IN_CLASSES = (
    "disc",
    "ring",
    "square",
    "cross",
    "triangle",
    "h-stripes",
    "v-stripes",
    "diagonals",
    "checks",
    "dots",
)


def _stand_in_shapes(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A mask in [0, 1] per image, (N, 32, 32): the shape or texture of its class."""
    count, side = len(labels), CIFAR10_SIDE
    rows, cols = np.mgrid[0:side, 0:side].astype(np.float32)
    centre = rng.uniform(11, 21, size=(count, 2, 1, 1)).astype(np.float32)
    radius = rng.uniform(6, 10, size=(count, 1, 1)).astype(np.float32)
    period = rng.uniform(4, 7, size=(count, 1, 1)).astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, size=(count, 1, 1)).astype(np.float32)
    dy, dx = rows - centre[:, 0], cols - centre[:, 1]
    distance = np.hypot(dy, dx)
    inside = np.maximum(np.abs(dy), np.abs(dx)) <= radius
    wave = lambda coordinate: np.sin(2 * np.pi * coordinate / period + phase) > 0
    masks = np.stack(
        [
            distance <= radius,  # disc
            (distance <= radius) & (distance >= 0.55 * radius),  # ring
            inside,  # square
            (np.minimum(np.abs(dy), np.abs(dx)) <= 0.3 * radius) & inside,  # cross
            (dy <= radius)
            & (np.abs(dx) <= (dy + radius) / 2)
            & (dy >= -radius),  # triangle
            np.broadcast_to(wave(rows), distance.shape),  # h-stripes
            np.broadcast_to(wave(cols), distance.shape),  # v-stripes
            wave((rows + cols) / np.sqrt(2)),  # diagonals
            wave(rows) ^ wave(cols),  # checks
            (
                np.hypot(
                    (dy + 64) % period - period / 2, (dx + 64) % period - period / 2
                )
                <= period / 4
            ),  # dots
        ],
        axis=1,
    )
    return masks[np.arange(count), labels].astype(np.float32)


def cifar10_stand_in(
    missing: str, train_size: int = 5_000, test_size: int = 1_000, seed: int = 0
) -> CIFAR10:
    """Ten classes of synthetic 32x32 colour images: shaped like CIFAR-10, labelled not.

    Each image is one shape or texture (its class: disc, ring, square, ...) in a
    random colour on a random background, at a random place and size, with
    noise. A network has to learn shape, not colour, but the task is far easier
    than CIFAR-10's photographs: accuracies on it say nothing about CIFAR-10.
    The class names end in ``(stand-in)``.

    Parameters
    ----------
    missing : str
        What the loader could not find, for the page's warning.
    train_size, test_size : int
        Images per split, balanced over the classes (rounded up to a multiple of 10).
    seed : int
        The images depend on it alone.

    Examples
    --------
    >>> fake = cifar10_stand_in("cifar10: not found", 20, 10)
    >>> fake.x_train.shape, fake.x_train.dtype, fake.class_names[0]
    ((20, 32, 32, 3), dtype('uint8'), 'disc (stand-in)')
    """
    from ..validation import check_int

    train_size = check_int("train_size", train_size, minimum=1)
    test_size = check_int("test_size", test_size, minimum=1)
    rng = np.random.default_rng(seed)
    classes = len(CIFAR10_STAND_IN_CLASSES)

    def draw(size):
        labels = rng.permutation(np.arange(-(-size // classes) * classes) % classes)
        masks = _stand_in_shapes(labels, rng)[..., np.newaxis]
        background = rng.uniform(0, 255, size=(len(labels), 1, 1, 3))
        # the foreground differs from the background by at least 80 in some channel
        shift = rng.uniform(80, 175, size=(len(labels), 1, 1, 3)) * rng.choice(
            [-1, 1], size=(len(labels), 1, 1, 3)
        )
        foreground = np.clip(background + shift, 0, 255)
        noise = rng.normal(0, 20, size=(len(labels), CIFAR10_SIDE, CIFAR10_SIDE, 3))
        images = background + masks * (foreground - background) + noise
        return np.clip(np.rint(images), 0, 255).astype(np.uint8), labels.astype(
            np.int64
        )

    x_train, y_train = draw(train_size)
    x_test, y_test = draw(test_size)
    description = (
        "synthetic 32x32 colour images of ten shapes and textures "
        "(disc, ring, stripes, ...)"
    )
    note = StandIn("CIFAR-10", description, missing, CIFAR10_HOW_TO_GET)
    names = tuple(f"{name} (stand-in)" for name in CIFAR10_STAND_IN_CLASSES)
    return CIFAR10(
        x_train,
        y_train,
        x_test,
        y_test,
        names,
        stand_in=note,
        source=f"STAND-IN, not CIFAR-10: {description}",
    )

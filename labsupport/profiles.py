"""Run profiles: how big the course's computations are.

The profile is chosen with the environment variable ``LABSUPPORT_PROFILE``:

``ci``
    Seconds per notebook: the smallest sizes that still run every code path.
``book`` (default)
    What the rendered book shows, affordable on a laptop CPU.
``full``
    Research scale, run from the command line.

Every size a notebook uses comes from :func:`current_profile`, so no notebook
hard-codes one and the three profiles differ in exactly one place: ``PROFILES``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

ENV_VAR = "LABSUPPORT_PROFILE"
DEFAULT_PROFILE = "book"


@dataclass(frozen=True)
class Profile:
    """The sizes one profile gives the course's computations.

    Attributes
    ----------
    name : str
        ``"ci"``, ``"book"`` or ``"full"``.
    description : str
        One line saying what the profile is for.
    tied_dense_size : int
        Side ``n`` of the ``n x n`` image in chapter 1's demonstration that a
        dense layer with tied weights is a convolution (its weight tensor
        has ``n**4`` entries).
    photo_max_side : int
        Longest side, in pixels, of the photograph the classic kernels filter.
    kernel_fit_epochs : int
        Full-batch Adam steps when a single kernel is learned from data.
    fft_image_side : int
        Side of the square image on which direct and FFT convolution are timed.
    fft_kernel_sides : tuple of int
        Kernel sides timed against it.
    digits_learning_rates, digits_l2s : tuple of float
        The learning-rate x L2 grid of the digits experiment.
    digits_epochs : int
        Epochs per cell of that grid (batches of 100).
    mnist_train_limit : int or None
        Training images used for MNIST (None: all there are).
    mnist_epochs : int
        Epochs of the MNIST network.
    mnist_dropouts : tuple of float
        The dropout rates the MNIST grid compares.
    interpret_train_limit : int or None
        Training images for chapter 8's MNIST network (None: all there are).
    interpret_epochs : int
        Epochs of chapter 8's MNIST network.
    interpret_ascent_steps : int
        Gradient-ascent steps per filter visualisation.
    interpret_ascent_filters : int
        Filters of the second convolution visualised by gradient ascent.
    interpret_sanity_images : int
        Images explained at every step of the model-randomisation check.
    interpret_field_images : int
        Images whose input gradients map a deep unit's receptive field.
    interpret_cifar_train_limit : int or None
        Training images for chapter 8's CIFAR-10 network (None: all there are).
    interpret_cifar_epochs : int
        Epochs of chapter 8's CIFAR-10 network.
    lenet_train_limit : int or None
        Training images (before the validation split) for chapter 5's LeNet-5
        (None: all there are).
    lenet_epochs : int
        Epochs of chapter 5's LeNet-5.
    cifar10_train_limit : int or None
        CIFAR-10 training images used, validation split included (None: all).
    cifar10_validation_size : int
        Of those, the images carved off (stratified) as the validation split.
    cifar10_stand_in_sizes : tuple of int
        Training and test images of the CIFAR-10 stand-in, when it is used.
    cifar10_tutorial_epochs : int
        Epochs of the tutorial network.
    cifar10_epochs : int
        Epochs of each cell of the improved network's grid.
    cifar10_widths : tuple of int
        Filters of the improved network's three blocks.
    cifar10_augment, cifar10_batch_norm : tuple of bool
        Two axes of the improved network's grid (dropout and the learning-rate
        schedule are on in every cell).
    cifar10_learning_rates : tuple of float
        Its third axis: Adam's peak step size, so that each setting of the other
        two is compared at the rate chosen for it on validation.
    allow_stand_in : bool
        Whether a dataset that cannot be had (not in the data folder, not in
        the Keras cache, no download) is replaced by its labelled stand-in
        (``ci`` and ``book``: the book builds anywhere) or raises (``full``:
        a research run never trains on a stand-in by accident).
    erf_depth : int
        Stacked 3x3 layers through which chapter 4 measures the effective
        receptive field.
    erf_draws : int
        Random initialisations averaged for that picture.
    training_noise_draws : int
        Random minibatches per batch size when the training chapter measures the
        noise of the minibatch gradient.
    training_optimizer_steps : int
        Steps over which the NumPy optimisers are compared with Keras' in that chapter.
    training_overfit_epochs : int
        Epochs of the network trained to overfit, watched for early stopping.
    training_gap_epochs : int
        Epochs of the small global-average-pooling network whose class activation
        maps are shown.
    training_residual_depth : int
        Blocks of the plain and residual stacks whose gradients are measured.
    training_init_depth : int
        Dense ReLU layers through which Glorot and He initialisation are compared.
    training_init_width : int
        Units per layer of that stack.
    training_init_samples : int
        Input vectors pushed through it.
    """

    name: str
    description: str
    tied_dense_size: int
    photo_max_side: int
    kernel_fit_epochs: int
    fft_image_side: int
    fft_kernel_sides: tuple
    digits_learning_rates: tuple
    digits_l2s: tuple
    digits_epochs: int
    mnist_train_limit: int | None
    mnist_epochs: int
    mnist_dropouts: tuple
    interpret_train_limit: int | None
    interpret_epochs: int
    interpret_ascent_steps: int
    interpret_ascent_filters: int
    interpret_sanity_images: int
    interpret_field_images: int
    interpret_cifar_train_limit: int | None
    interpret_cifar_epochs: int
    lenet_train_limit: int | None
    lenet_epochs: int
    cifar10_train_limit: int | None
    cifar10_validation_size: int
    cifar10_stand_in_sizes: tuple
    cifar10_tutorial_epochs: int
    cifar10_epochs: int
    cifar10_widths: tuple
    cifar10_augment: tuple
    cifar10_batch_norm: tuple
    cifar10_learning_rates: tuple
    allow_stand_in: bool
    erf_depth: int
    erf_draws: int
    training_noise_draws: int
    training_optimizer_steps: int
    training_overfit_epochs: int
    training_gap_epochs: int
    training_residual_depth: int
    training_init_depth: int
    training_init_width: int
    training_init_samples: int

    def summary(self) -> str:
        """One line per setting, for the top of a notebook."""
        return "\n".join(
            f"{field.name}: {getattr(self, field.name)}" for field in fields(self)
        )


PROFILES: dict[str, Profile] = {
    "ci": Profile(
        name="ci",
        description="smallest sizes that still run every code path (CI)",
        tied_dense_size=6,
        photo_max_side=96,
        kernel_fit_epochs=100,
        fft_image_side=64,
        fft_kernel_sides=(3, 9, 17),
        digits_learning_rates=(1e-2, 1e1),
        digits_l2s=(1e-5, 1e0),
        digits_epochs=3,
        mnist_train_limit=1_000,
        mnist_epochs=1,
        mnist_dropouts=(0.5,),
        interpret_train_limit=2_000,
        interpret_epochs=1,
        interpret_ascent_steps=30,
        interpret_ascent_filters=8,
        interpret_sanity_images=8,
        interpret_field_images=64,
        interpret_cifar_train_limit=1_000,
        interpret_cifar_epochs=1,
        lenet_train_limit=1_000,
        lenet_epochs=1,
        cifar10_train_limit=1_200,
        cifar10_validation_size=240,
        cifar10_stand_in_sizes=(1_200, 400),
        cifar10_tutorial_epochs=6,
        cifar10_epochs=2,
        cifar10_widths=(4, 8, 8),
        cifar10_augment=(True,),
        cifar10_batch_norm=(False, True),
        cifar10_learning_rates=(3e-3,),
        allow_stand_in=True,
        erf_depth=8,
        erf_draws=4,
        training_noise_draws=100,
        training_optimizer_steps=100,
        training_overfit_epochs=40,
        training_gap_epochs=6,
        training_residual_depth=8,
        training_init_depth=10,
        training_init_width=128,
        training_init_samples=200,
    ),
    "book": Profile(
        name="book",
        description="what the rendered book shows; a laptop CPU affords it",
        tied_dense_size=16,
        photo_max_side=320,
        kernel_fit_epochs=300,
        fft_image_side=256,
        fft_kernel_sides=(3, 5, 7, 9, 11, 15, 21, 31, 41),
        digits_learning_rates=(1e-4, 1e-2, 1e-1, 1e1),
        digits_l2s=(1e-5, 1e-2, 1e0),
        digits_epochs=30,
        mnist_train_limit=6_000,
        mnist_epochs=3,
        mnist_dropouts=(0.5,),
        interpret_train_limit=6_000,
        interpret_epochs=3,
        interpret_ascent_steps=100,
        interpret_ascent_filters=16,
        interpret_sanity_images=12,
        interpret_field_images=400,
        interpret_cifar_train_limit=5_000,
        interpret_cifar_epochs=4,
        lenet_train_limit=12_000,
        lenet_epochs=4,
        cifar10_train_limit=2_500,
        cifar10_validation_size=500,
        cifar10_stand_in_sizes=(2_500, 1_000),
        cifar10_tutorial_epochs=8,
        cifar10_epochs=3,
        cifar10_widths=(16, 32, 64),
        cifar10_augment=(False, True),
        cifar10_batch_norm=(False, True),
        cifar10_learning_rates=(1e-3, 3e-3),
        allow_stand_in=True,
        erf_depth=16,
        erf_draws=16,
        training_noise_draws=400,
        training_optimizer_steps=100,
        training_overfit_epochs=120,
        training_gap_epochs=20,
        training_residual_depth=20,
        training_init_depth=30,
        training_init_width=256,
        training_init_samples=1000,
    ),
    "full": Profile(
        name="full",
        description="research scale: full datasets, full grids, full epochs",
        tied_dense_size=28,
        photo_max_side=640,
        kernel_fit_epochs=600,
        fft_image_side=512,
        fft_kernel_sides=(3, 5, 7, 9, 11, 15, 21, 31, 41, 61),
        digits_learning_rates=(1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1),  # logspace(-5, 1, 7)
        digits_l2s=(1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1),
        digits_epochs=100,
        mnist_train_limit=None,
        mnist_epochs=5,
        mnist_dropouts=(0.0, 0.5),
        interpret_train_limit=None,
        interpret_epochs=15,
        interpret_ascent_steps=200,
        interpret_ascent_filters=64,
        interpret_sanity_images=50,
        interpret_field_images=2_000,
        interpret_cifar_train_limit=None,
        interpret_cifar_epochs=10,
        lenet_train_limit=None,
        lenet_epochs=20,
        cifar10_train_limit=None,
        cifar10_validation_size=5_000,
        cifar10_stand_in_sizes=(4_000, 1_000),
        cifar10_tutorial_epochs=10,
        cifar10_epochs=30,
        cifar10_widths=(32, 64, 128),
        cifar10_augment=(False, True),
        cifar10_batch_norm=(False, True),
        cifar10_learning_rates=(1e-3, 3e-3),
        allow_stand_in=False,
        erf_depth=24,
        erf_draws=32,
        training_noise_draws=2000,
        training_optimizer_steps=200,
        training_overfit_epochs=300,
        training_gap_epochs=60,
        training_residual_depth=40,
        training_init_depth=50,
        training_init_width=512,
        training_init_samples=2000,
    ),
}


def get_profile(name: str) -> Profile:
    """Return the profile called `name`.

    Parameters
    ----------
    name : str
        One of ``"ci"``, ``"book"``, ``"full"``.

    Returns
    -------
    Profile

    Raises
    ------
    ValueError
        If `name` is not a known profile; the message lists the allowed names.

    Examples
    --------
    >>> get_profile("ci").name
    'ci'
    """
    try:
        return PROFILES[name]
    except KeyError:
        allowed = ", ".join(repr(key) for key in PROFILES)
        raise ValueError(
            f"{ENV_VAR}={name!r} is not a known profile; expected one of {allowed}"
        ) from None


def current_profile() -> Profile:
    """Return the profile named by ``LABSUPPORT_PROFILE`` (default ``book``).

    Raises
    ------
    ValueError
        If the variable holds an unknown name.

    Examples
    --------
    >>> current_profile().name in PROFILES
    True
    """
    return get_profile(os.environ.get(ENV_VAR, DEFAULT_PROFILE).strip() or DEFAULT_PROFILE)

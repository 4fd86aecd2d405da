"""What one epoch of each CIFAR-10 network costs on this machine, and what a full run would.

    .venv/bin/python benchmarks/cifar10_epoch.py              # 40 batches of 64 per network
    .venv/bin/python benchmarks/cifar10_epoch.py --batches 200

The cost of a training step does not depend on what the images show, so random
uint8 images of CIFAR-10's shape measure it without the dataset. For the tutorial
network and for the improved network at the ``full`` profile's widths (all four
improvements on, and with neither augmentation nor batch normalisation), it times
`--batches` training steps after one warm-up step, and prints wall and CPU seconds
per step, and the wall time these give for one epoch and for the ``full`` profile's
run over 45,000 training images. Those run times are extrapolations, labelled so.
On a shared machine, wall time depends on the other load; CPU time less so.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

import labsupport
from labsupport import models
from labsupport.profiles import get_profile


def time_steps(model, batches: int, batch_size: int = 64) -> tuple[float, float]:
    """Wall and CPU seconds per training step, after one warm-up (compilation) step."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(batch_size * (batches + 1), 32, 32, 3)).astype(np.float32) / 255
    labels = rng.integers(0, 10, size=len(images))
    model.fit(images[:batch_size], labels[:batch_size], batch_size=batch_size, epochs=1, verbose=0)
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(images[batch_size:], labels[batch_size:], batch_size=batch_size, epochs=1, verbose=0,
              shuffle=False)
    return (time.perf_counter() - wall) / batches, (time.process_time() - cpu) / batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args()
    labsupport.seed_everything(0)
    full = get_profile("full")
    train_images = 50_000 - full.cifar10_validation_size
    steps = math.ceil(train_images / 64)
    widths = full.cifar10_widths
    networks = [
        ("tutorial", lambda: models.cifar10_tutorial_cnn(seed=0), full.cifar10_tutorial_epochs),
        (f"improved {widths}, all on", lambda: models.cifar10_improved_cnn(
            widths=widths, decay_steps=steps * full.cifar10_epochs, seed=0), full.cifar10_epochs),
        (f"improved {widths}, no aug, no BN", lambda: models.cifar10_improved_cnn(
            augment=False, batch_norm=False, widths=widths, decay_steps=steps * full.cifar10_epochs,
            seed=0), full.cifar10_epochs),
    ]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {args.batches} batches of 64; "
          f"an epoch is {steps} batches ({train_images:,} images)")
    for name, build, epochs in networks:
        wall, cpu = time_steps(build(), args.batches)
        epoch = wall * steps
        print(f"{name:<38} {1e3 * wall:7.1f} ms/step wall, {1e3 * cpu:7.1f} ms/step CPU; "
              f"epoch {epoch / 60:5.1f} min; {epochs} epochs (extrapolated) {epoch * epochs / 3600:5.2f} h")


if __name__ == "__main__":
    main()

"""Datasets for the course, found the same way on every machine.

Every file is looked for in the data folder named by ``LABSUPPORT_DATA_DIR``, then in
the Keras cache, then downloaded through ``keras.datasets`` (unless
``LABSUPPORT_OFFLINE=1``), and checked against a known checksum before anything reads
it (:mod:`~labsupport.datasets.files`). Where a dataset cannot be had,
:func:`stand_in_or_raise` applies one rule to every dataset: the ``ci`` and ``book``
profiles get a clearly labelled stand-in, the ``full`` profile the error
(:mod:`~labsupport.datasets.stand_in`). The 8x8 digits ship inside scikit-learn and
need none of this.

One module per concern: :mod:`~labsupport.datasets.files`,
:mod:`~labsupport.datasets.stand_in`, :mod:`~labsupport.datasets.digits` (scikit-learn's
digits and photographs), :mod:`~labsupport.datasets.mnist`,
:mod:`~labsupport.datasets.cifar10` and :mod:`~labsupport.datasets.cifar10_stand_in`.
Every public name is importable from ``labsupport.datasets`` itself.
"""

from __future__ import annotations

from .files import (  # noqa: F401
    DATA_DIR_VAR, OFFLINE_VAR, DatasetNotFoundError, ChecksumError, DataFile,
    is_offline, keras_cache_dir, candidate_paths, ALGORITHMS, digest_of,
    verify_checksum, find_local, locate, import_keras_datasets,
)
from .stand_in import (  # noqa: F401
    StandIn, stand_in_or_raise,
)
from .digits import (  # noqa: F401
    load_digits, load_sample_photo,
)
from .mnist import (  # noqa: F401
    MNIST_NPZ, MNIST_IDX, IDX_TYPES, MNIST_SIZES, read_idx, MNIST, MNIST_HOW_TO_GET,
    mnist_stand_in, read_mnist, MNIST_IDX_ARRAYS, load_mnist,
)
from .cifar10 import (  # noqa: F401
    CIFAR10_SHA256, CIFAR10_URL, CIFAR10_FOLDER, CIFAR10_TRAIN_BATCHES,
    CIFAR10_TEST_BATCH, CIFAR10_META, CIFAR10_SIDE, CIFAR10_CHANNELS,
    CIFAR10_ARCHIVE_NAMES, CIFAR10_EXTRACTED, CIFAR10_HOW_TO_GET, cifar10_archives,
    _BatchUnpickler, CIFAR10, read_cifar10_archive, download_cifar10, read_cifar10,
    load_cifar10,
)
from .cifar10_stand_in import (  # noqa: F401
    CIFAR10_STAND_IN_CLASSES, cifar10_stand_in,
)

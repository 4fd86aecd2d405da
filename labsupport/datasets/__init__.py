"""Datasets for the course, found the same way on every machine.

A dataset file is looked for, in this order:

1. the local data folder named by ``LABSUPPORT_DATA_DIR``, as
   ``$LABSUPPORT_DATA_DIR/<dataset>/<filename>`` or ``$LABSUPPORT_DATA_DIR/<filename>``;
2. the Keras cache, ``$KERAS_HOME/datasets/<filename>`` (``~/.keras`` when
   ``KERAS_HOME`` is unset), where ``keras.datasets`` keeps what it downloads;
3. a download through ``keras.datasets``, unless ``LABSUPPORT_OFFLINE=1``.

Whatever is found is checked against a known checksum before anything reads it;
a file that does not match is refused, never used. A file that cannot be found
offline raises :class:`DatasetNotFoundError`, whose message says which file to
put where.

When all three fail, :func:`stand_in_or_raise` decides, in one place for every
dataset: the ``ci`` and ``book`` profiles get a clearly labelled stand-in (a
:class:`StandIn` note travels with the data, and
:func:`labsupport.show.stand_in_banner` puts a warning on the page), so the
book builds on any machine; the ``full`` profile raises the error.

The 8x8 digits ship inside scikit-learn, so :func:`load_digits` needs none of this.

One module per concern: :mod:`~labsupport.datasets.files` (finding files and checking
their checksums), :mod:`~labsupport.datasets.stand_in` (the stand-in rule),
:mod:`~labsupport.datasets.digits` (scikit-learn's digits and photographs),
:mod:`~labsupport.datasets.mnist`, :mod:`~labsupport.datasets.cifar10` and
:mod:`~labsupport.datasets.cifar10_stand_in`. Every public name is importable from
``labsupport.datasets`` itself.
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

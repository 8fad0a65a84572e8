"""How the benchmarks call a trained restorer."""

import functools
from typing import Callable

import keras


def restore_as_is(model: keras.Model, **options) -> Callable:
    """`model.restore` without shape bucketing: the network sees each image at its own size.

    The protocol of every committed quality figure; what bucketing (the library's default)
    changes is measured on its own by `benchmarks/bucketing.py`.
    """
    return functools.partial(model.restore, size_ladder=None, **options)

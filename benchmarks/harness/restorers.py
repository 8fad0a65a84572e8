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


def named_paths(entries: list[str]) -> dict[str, str]:
    """`["name=path", ...]` (a repeated `--restorer` flag) as `{name: path}`.

    Raises:
        ValueError: naming an entry without `=`, or a name given twice (the later path would silently win).
    """
    paths = {}
    for entry in entries:
        if "=" not in entry:
            raise ValueError(f"--restorer takes name=path, e.g. unet=workdirs/restore_cifar10/model.keras. Received: {entry!r}")
        name, path = entry.split("=", 1)
        if name in paths:
            raise ValueError(f"--restorer names {name!r} twice: {paths[name]!r} and {path!r}.")
        paths[name] = path
    return paths

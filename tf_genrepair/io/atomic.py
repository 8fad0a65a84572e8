"""Atomic file output: a reader never sees a half-written file."""

import contextlib
import json
import os
import shutil
import tempfile
from typing import Any, Iterator


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_folder(folder: str) -> str:
    """Creates `folder` (and its parents) if missing; raises `NotADirectoryError` naming a file in the way.

    Example:
        >>> make_folder("runs/classifier")
    """
    parent = os.path.abspath(folder)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise NotADirectoryError(f"Cannot create {folder}: {parent} is not a folder.")
    os.makedirs(folder, exist_ok=True)
    return folder


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yields a temporary path beside `path`, renamed onto `path` on success.

    If the body raises, the temporary file is removed and `path` is untouched.

    Args:
        path: The final destination.

    Returns:
        A context manager yielding the temporary path to write to.

    Example:
        >>> with atomic_path("/tmp/grid.png") as tmp:
        ...     figure.savefig(tmp, format="png")
    """
    directory = make_folder(os.path.dirname(os.path.abspath(path)))
    # The temporary name ends with the final name, so extension checks (".weights.h5", ".keras") pass.
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=f"-{os.path.basename(path)}", dir=directory)
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_current_umask())  # mkstemp creates 0600; give the usual permissions.
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


@contextlib.contextmanager
def atomic_folder(path: str) -> Iterator[str]:
    """Yields a temporary folder beside `path`, renamed onto `path` on success.

    If the body raises, the temporary folder is removed and `path` is untouched. The
    temporary name starts with `.tmp-`, so a reader listing the parent can skip it and a
    writer can clear what a killed process left behind.

    Args:
        path: The final folder; must not exist yet.

    Returns:
        A context manager yielding the temporary folder to fill.

    Example:
        >>> with atomic_folder("exports/restorer/1") as tmp:
        ...     tf.saved_model.save(module, tmp)
    """
    parent = make_folder(os.path.dirname(os.path.abspath(path)))
    temporary = tempfile.mkdtemp(prefix=".tmp-", suffix=f"-{os.path.basename(path)}", dir=parent)
    try:
        yield temporary
        os.chmod(temporary, 0o777 & ~_current_umask())  # mkdtemp creates 0700; give the usual permissions.
        os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def write_text_atomic(path: str, text: str) -> None:
    """Writes `text` to `path` atomically."""
    with atomic_path(path) as temporary:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)


def write_json_atomic(path: str, value: Any) -> None:
    """Writes `value` as indented JSON to `path` atomically."""
    write_text_atomic(path, json.dumps(value, indent=2, sort_keys=True) + "\n")

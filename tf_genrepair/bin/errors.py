"""User errors in binaries end with one line on stderr and exit code 2, not a traceback."""

import contextlib
import functools
import sys
from typing import Callable, Iterator

from absl import app, flags

USAGE_ERROR_EXIT_CODE = 2
USER_ERRORS = (ValueError, OSError)  # Bad values, files and folders (missing, unreadable, unwritable).


def _fail(error: Exception) -> None:
    print(f"error: {error}", file=sys.stderr)
    sys.exit(USAGE_ERROR_EXIT_CODE)


def _parse_flags(argv: list[str]) -> list[str]:
    """absl's flag parsing, with an unknown flag or a bad flag value reported like any other user error."""
    try:
        return flags.FLAGS(argv)
    except flags.Error as error:
        _fail(error)


def _exit_on_user_error(main: Callable[[list[str]], None]) -> Callable[[list[str]], None]:
    """Wraps an absl `main` so a `ValueError` or `OSError` prints one line and exits 2."""

    @functools.wraps(main)
    def wrapped(argv: list[str]) -> None:
        try:
            main(argv)
        except USER_ERRORS as error:
            _fail(error)

    return wrapped


def run_main(main: Callable[[list[str]], None]) -> None:
    """`absl.app.run(main)` where every user error, flags included, is one `error: ...` line and exit code 2."""
    app.run(_exit_on_user_error(main), flags_parser=_parse_flags)


@contextlib.contextmanager
def about_flag(flag: str, value: object) -> Iterator[None]:
    """Prefixes a library's `ValueError` with the flag whose value caused it: `--model=x.h5: x.h5 is not a .keras file.`"""
    try:
        yield
    except ValueError as error:
        raise ValueError(f"--{flag}={value}: {error}") from error

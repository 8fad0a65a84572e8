"""User errors in binaries end with one line on stderr and exit code 2, not a traceback."""

import functools
import sys
from typing import Callable

USAGE_ERROR_EXIT_CODE = 2


def exit_on_user_error(main: Callable[[list[str]], None]) -> Callable[[list[str]], None]:
    """Wraps an absl `main` so `ValueError`/`FileNotFoundError` print one line and exit 2."""

    @functools.wraps(main)
    def wrapped(argv: list[str]) -> None:
        try:
            main(argv)
        except (ValueError, FileNotFoundError) as error:
            print(f"error: {error}", file=sys.stderr)
            sys.exit(USAGE_ERROR_EXIT_CODE)

    return wrapped

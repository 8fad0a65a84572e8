"""Checks that every number in the tables of benchmarks/RESULTS.md comes from a committed results file.

A section (from one heading to the next) that has a line starting `Results file:` or `Results files:`
is backed by the `results/<name>.json` files that line links; every numeric cell of the section's
tables must then equal a number in those files, as printed (rounded to the cell's decimals, or as a
percentage of a fraction). Sections without such a line are listed as not yet backed.

    python benchmarks/check_results.py      # exit status 1 if a backed table holds a number no file has
"""

import argparse
import json
import os
import re
import sys
from typing import Iterator

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_LINE = re.compile(r"^Results files?:")
RESULTS_LINK = re.compile(r"results/([\w.\-]+\.json)")
NUMBER_CELL = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?$")


def sections(markdown: str) -> Iterator[tuple[str, list[str]]]:
    """(heading, lines) for every section of a markdown document."""
    heading, lines = "(top)", []
    for line in markdown.splitlines():
        if line.startswith("#") and not line.startswith("#!"):
            yield heading, lines
            heading, lines = line.lstrip("#").strip(), []
        else:
            lines.append(line)
    yield heading, lines


def table_numbers(lines: list[str]) -> list[str]:
    """The cells of the section's tables that are one number (bold, %, x and thousands commas stripped)."""
    numbers = []
    for line in lines:
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        for cell in line.strip("|").split("|"):
            text = cell.strip().strip("*").rstrip("%x").replace("\u2212", "-")
            if NUMBER_CELL.match(text):
                numbers.append(text)
    return numbers


def backing_files(lines: list[str]) -> list[str]:
    """The results files linked from the section's `Results file(s):` paragraphs (to the next blank line)."""
    files, in_paragraph = [], False
    for line in lines:
        in_paragraph = bool(RESULTS_LINE.match(line)) or (in_paragraph and bool(line.strip()))
        files += RESULTS_LINK.findall(line) if in_paragraph else []
    return files


def file_numbers(document) -> list[float]:
    """Every number in a JSON document: values, numeric strings and numeric keys."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            found += file_numbers(key) + file_numbers(value)
    elif isinstance(document, list):
        for value in document:
            found += file_numbers(value)
    elif isinstance(document, (int, float)) and not isinstance(document, bool):
        found.append(float(document))
    elif isinstance(document, str):
        try:
            found.append(float(document))
        except ValueError:
            pass
    return found


def matches(cell: str, values: list[float]) -> bool:
    """Whether a printed cell equals one of `values` rounded to its decimals, or 100 times one (a percentage)."""
    printed = float(cell.replace(",", ""))
    decimals = len(cell.partition(".")[2])
    tolerance = 0.5 * 10.0**-decimals + 1e-9
    return any(abs(value - printed) <= tolerance or abs(100.0 * value - printed) <= tolerance for value in values)


def check(results_md: str) -> tuple[dict[str, list[str]], list[str]]:
    """Section -> the numbers no backing file holds (backed sections only), and the sections with tables but no file."""
    with open(results_md) as handle:
        markdown = handle.read()
    unmatched, unbacked = {}, []
    for heading, lines in sections(markdown):
        cells = table_numbers(lines)
        files = backing_files(lines)
        if not cells:
            continue
        if not files:
            unbacked.append(heading)
            continue
        values = []
        for name in set(files):
            with open(os.path.join(os.path.dirname(results_md), "results", name)) as handle:
                values += file_numbers(json.load(handle))
        missing = [cell for cell in cells if not matches(cell, values)]
        if missing:
            unmatched[heading] = missing
    return unmatched, unbacked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results_md", default=os.path.join(HERE, "RESULTS.md"))
    arguments = parser.parse_args()
    unmatched, unbacked = check(arguments.results_md)
    for heading in unbacked:
        print(f"not yet backed by a results file: {heading}")
    for heading, cells in unmatched.items():
        print(f"NOT IN ITS RESULTS FILE: {heading}: {', '.join(cells)}")
    sys.exit(1 if unmatched else 0)


if __name__ == "__main__":
    main()

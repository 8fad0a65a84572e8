"""The documented severity table is the one the code uses."""

import os
import re

import pytest

from tf_genrepair.corruptions import CORRUPTIONS, family_of

DOCS = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "corruptions.md")


def documented_parameters() -> dict[tuple[str, str], tuple[float, ...]]:
    table = {}
    with open(DOCS, encoding="utf-8") as handle:
        for line in handle:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) == 8 and cells[0] in CORRUPTIONS:
                assert cells[1] == family_of(cells[0])
                table[cells[0], cells[2]] = tuple(float(value) for value in cells[3:])
    return table


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_severity_table_matches_the_code(name):
    table = documented_parameters()
    for parameter, values in CORRUPTIONS[name].parameters.items():
        assert table[name, parameter] == pytest.approx(values), (name, parameter)


def test_every_file_the_docs_name_exists():
    root = os.path.join(os.path.dirname(__file__), os.pardir)
    documents = [os.path.join(root, "README.md"), os.path.join(root, "benchmarks", "RESULTS.md")]
    documents += [os.path.join(root, "docs", name) for name in os.listdir(os.path.join(root, "docs")) if name.endswith(".md")]
    named = set()
    for document in documents:
        with open(document, encoding="utf-8") as handle:
            named |= set(re.findall(r"\b(?:tests|tf_genrepair|benchmarks)/[\w/]+\.py\b", handle.read()))
    assert named, "no file names found: the pattern is broken"
    assert sorted(path for path in named if not os.path.isfile(os.path.join(root, path))) == []


def test_missing_fraction_table_is_what_the_masks_measure():
    import numpy as np

    from tf_genrepair.corruptions import get_corruption

    with open(DOCS, encoding="utf-8") as handle:
        text = handle.read()
    section = text[text.index("Measured missing fraction (mean over 512 masks of 28x28, seed 0") :].split("\n\n")[1]
    images = np.zeros((512, 28, 28, 1), np.float32)
    for line in section.splitlines()[2:]:
        name, *cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        measured = [100 * (1 - float(get_corruption(name)(images, severity=s, seed=[0, 0])[1].numpy().mean())) for s in range(1, 6)]
        assert [float(cell.rstrip("%")) for cell in cells] == pytest.approx(measured, abs=0.051), name

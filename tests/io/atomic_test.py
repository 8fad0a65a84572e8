"""Atomic writes never leave a half-written file."""

import os

import pytest

from tf_genrepair.io.atomic import atomic_path, write_json_atomic


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = str(tmp_path / "report.json")
    write_json_atomic(path, {"accuracy": 0.9})
    with pytest.raises(RuntimeError):
        with atomic_path(path) as temporary:
            with open(temporary, "w") as handle:
                handle.write('{"accura')
            raise RuntimeError("interrupted")
    assert open(path).read().strip().endswith("}")
    assert os.listdir(tmp_path) == ["report.json"]

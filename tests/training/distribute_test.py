"""One step under MirroredStrategy on 2 logical CPUs equals one step on 1 device (same global batch)."""

import json
import os
import subprocess
import sys

import pytest

from tf_genrepair.training.distribute import make_strategy

pytestmark = pytest.mark.slow  # Runs binaries or trains models end to end.

SCRIPT = os.path.join(os.path.dirname(__file__), "distributed_step.py")


@pytest.mark.parametrize("kind", ["gan", "cgan", "vae", "cvae", "classifier", "restorer", "ssvae", "ssgan"])
def test_mirrored_step_equals_single_device_step(kind):
    result = subprocess.run([sys.executable, SCRIPT, kind], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert report["weights_changed_by_step"] > 1e-4  # The step did something worth comparing.
    assert report["max_relative_weight_difference"] < 1e-5
    for key, single in report["single_logs"].items():  # Logged metrics aggregate every replica.
        assert report["mirrored_logs"][key] == pytest.approx(single, rel=1e-5, abs=1e-6), key


def test_unknown_strategy_lists_the_valid_ones():
    with pytest.raises(ValueError, match="default, mirrored, multi_worker"):
        make_strategy("tpu")

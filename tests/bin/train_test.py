"""The training binary: user errors are one line and exit code 2."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # Runs binaries or trains models end to end.


def run_train(*arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tf_genrepair.bin.train", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--experiment=classifier_svhn"], "Valid experiments: cgan_cifar10, cgan_cifar10_smoke, cgan_mnist"),
        (["--experiment=classifier_mnist_smoke", "--override=train.epoch=1"], "train.epochs"),
        (["--experiment=classifier_mnist_smoke", "--strategy=tpu"], "Valid strategies: default, mirrored, multi_worker"),
    ],
)
def test_user_errors_exit_2_with_one_line(tmp_path, arguments, message):
    result = run_train(f"--workdir={tmp_path}", *arguments)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert sum(line.startswith("error:") for line in result.stderr.splitlines()) == 1

"""Two genrepair-train workers on 127.0.0.1 train together and end exactly where one process with the same global batch ends."""

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

from tf_genrepair.configs import get_experiment
from tf_genrepair.training import train_and_evaluate

pytestmark = pytest.mark.slow  # Runs binaries or trains models end to end.

EXPERIMENT = "gan_mnist_smoke"  # Global batch 64: 32 images per worker.


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _final_line(stdout: str) -> dict:
    return json.loads([line for line in stdout.splitlines() if line.startswith('{"experiment"')][-1])


def test_two_workers_match_one_process_and_only_the_chief_writes(tmp_path):
    cluster = {"worker": [f"127.0.0.1:{_free_port()}", f"127.0.0.1:{_free_port()}"]}
    workdirs = [str(tmp_path / "chief"), str(tmp_path / "worker")]  # Apart, to see that worker 1 writes nothing.
    workers = []
    try:
        for index, workdir in enumerate(workdirs):
            environment = dict(os.environ, TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}))
            command = [sys.executable, "-m", "tf_genrepair.bin.train", f"--experiment={EXPERIMENT}", f"--workdir={workdir}", "--strategy=multi_worker"]
            workers.append(subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        outputs = [worker.communicate(timeout=300) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    for worker, (_, stderr) in zip(workers, outputs):
        assert worker.returncode == 0, stderr[-3000:]
    chief, other = (_final_line(stdout) for stdout, _ in outputs)
    assert (chief["chief"], other["chief"]) == (True, False)
    assert chief["weights_sha256"] == other["weights_sha256"]  # The workers' final weights are identical.
    assert {"checkpoints", "model.keras", "metrics.json", "config.json"} <= set(os.listdir(workdirs[0]))
    assert not os.path.exists(workdirs[1])

    single = str(tmp_path / "single")
    train_and_evaluate(get_experiment(EXPERIMENT), single)
    distributed = keras.saving.load_model(os.path.join(workdirs[0], "model.keras")).get_weights()
    for together, alone in zip(distributed, keras.saving.load_model(os.path.join(single, "model.keras")).get_weights(), strict=True):
        np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)

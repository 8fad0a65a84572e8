"""Training memory: resident memory after every epoch of dcgan_mnist, restore_mnist and denoise_bsd, 8 epochs each.

Each experiment trains in a fresh `genrepair-train` process with `train.epochs=8` (and, with
`--steps_per_epoch`, shorter epochs); the `ResidentMemory` callback writes the process's RSS after
every epoch to `resident_memory.jsonl`. Bar (issue 22): RSS at the last epoch at most 10% above epoch 2.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/training_memory.py

Writes benchmarks/results/training_memory.json and docs/images/training_memory.png.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402

EXPERIMENTS = ("dcgan_mnist", "restore_mnist", "denoise_bsd")


def epoch_memory(experiment: str, epochs: int, steps_per_epoch: int | None, workdir: str) -> list[float]:
    """Trains `experiment` for `epochs` in a fresh process; its RSS (MiB) after each epoch."""
    command = [os.path.join(os.path.dirname(sys.executable), "genrepair-train"), f"--experiment={experiment}", f"--workdir={workdir}",
               f"--override=train.epochs={epochs}", "--override=train.validation_every_epochs=1"]
    if steps_per_epoch:
        command.append(f"--override=train.steps_per_epoch={steps_per_epoch}")
    subprocess.run(command, check=True)
    with open(os.path.join(workdir, "resident_memory.jsonl"), encoding="utf-8") as handle:
        return [json.loads(line)["mib"] for line in handle]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", default=",".join(EXPERIMENTS))
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--steps_per_epoch", type=int, help="Shorter epochs than the experiment's own (reported).")
    parser.add_argument("--output", default=default_output("training_memory"))
    parser.add_argument("--picture", default="docs/images/training_memory.png")
    arguments = parser.parse_args()
    started = time.time()
    rows = []
    for experiment in arguments.experiments.split(","):
        with tempfile.TemporaryDirectory() as workdir:
            mib = epoch_memory(experiment, arguments.epochs, arguments.steps_per_epoch, workdir)
        growth = mib[-1] / mib[1] - 1
        rows.append({"experiment": experiment, "epochs": len(mib), "steps_per_epoch": arguments.steps_per_epoch, "rss_mib": mib,
                     "last_over_epoch_2": growth, "within_10_percent": growth <= 0.10})
        print(f"{experiment}: RSS {', '.join(f'{value:.0f}' for value in mib)} MiB; last epoch {growth:+.1%} over epoch 2", flush=True)
    from tf_genrepair.io.plots import save_curves

    epochs = list(range(1, min(len(row["rss_mib"]) for row in rows) + 1))
    save_curves(epochs, {row["experiment"]: row["rss_mib"][: len(epochs)] for row in rows}, arguments.picture,
                x_label="epoch", y_label="resident memory (MiB)", title="Training memory per epoch")
    write_results(arguments.output, {"rows": rows}, started=started)


if __name__ == "__main__":
    main()

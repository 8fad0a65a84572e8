"""What finished training runs cost and reached: their work dirs' records gathered into a committed results file.

For each work dir: the experiment and its epochs (`config.json`), training seconds and the final
validation figures (`metrics.json`: for restorers `psnr` and `damaged_psnr` on the validation set), and
the resident memory after each epoch (`resident_memory.jsonl`, when the run wrote one).

    python benchmarks/training_runs.py --output=benchmarks/results/training_runs_colour.json \\
        workdirs/denoise_colour workdirs/jpeg_colour
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402


def run_record(workdir: str) -> dict:
    """The run's experiment, epochs, training seconds, final metrics and memory per epoch."""
    with open(os.path.join(workdir, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    with open(os.path.join(workdir, "metrics.json"), encoding="utf-8") as handle:
        metrics = json.load(handle)
    record = {"workdir": workdir, "experiment": config["name"], "epochs": config["train"]["epochs"], "metrics": metrics}
    memory_path = os.path.join(workdir, "resident_memory.jsonl")
    if os.path.exists(memory_path):
        with open(memory_path, encoding="utf-8") as handle:
            record["resident_memory_mib"] = [json.loads(line)["mib"] for line in handle]
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdirs", nargs="+", help="Finished genrepair-train work dirs.")
    parser.add_argument("--output", default=default_output("training_runs"))
    arguments = parser.parse_args()
    started = time.time()
    runs = [run_record(workdir) for workdir in arguments.workdirs]
    document = write_results(arguments.output, {"runs": runs}, started=started)
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()

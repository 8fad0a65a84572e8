"""The main job on the shipped digits, offline: train small models, measure recognition under damage, report."""

import os

from tf_genrepair.configs import get_study
from tf_genrepair.evaluation.report import summary_markdown
from tf_genrepair.evaluation.study import run_study


def run_demo(output_dir: str, *, study: str = "recognition_demo") -> dict:
    """Trains a small classifier (clean and augmentation-trained), restorer and conditional VAE on the
    4,000 shipped training digits, evaluates every corruption on the 1,000 shipped test digits and
    writes the report with its pictures to `output_dir`; models trained before in
    `<output_dir>/models` are reused.

    Returns:
        The report (also in `<output_dir>/report.json`).

    Example:
        >>> report = run_demo("demo_output")
    """
    report = run_study(get_study(study), output_dir)
    print(summary_markdown(report["summary"]))
    print(f"Report: {os.path.join(output_dir, 'report.md')} ({report['seconds']:.0f} s; pictures in {output_dir})")
    return report

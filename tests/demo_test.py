"""The demo writes its pictures and report from the shipped digits alone."""

import json
import os

from tf_genrepair.demo import run_demo


def test_demo_writes_gallery_report_and_plots(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GENREPAIR_DATA_DIR", raising=False)  # Offline, shipped data only.
    report = run_demo(str(tmp_path), num_test=100, epochs=1, corruptions=["box", "gaussian_noise"])
    files = set(os.listdir(tmp_path))
    assert {"corruptions.png", "report.md", "report.json", "accuracy_missing_values.png", "accuracy_noise.png"} <= files
    with open(tmp_path / "report.json") as handle:
        assert len(json.load(handle)["rows"]) == 2 * 5
    assert report["clean_accuracy"] > 0.3
    assert "report.md" in capsys.readouterr().out

"""Throughput compared on equal footing: every configuration in a fresh process, several alternating rounds.

Each round measures every configuration once, forward in even rounds and reversed in odd ones,
so slow drift of the machine's speed falls on both sides of a comparison. Ratios are taken within
a round (numerator and denominator measured minutes apart) and summarised by median and range.
"""

import statistics
import subprocess
import sys
from typing import Callable, Sequence


def alternating_rounds(names: Sequence[str], rounds: int, measure: Callable[[str], float]) -> list[dict[str, float]]:
    """`rounds` dicts name -> rate, the order of `names` reversed every other round."""
    if rounds < 1 or not names:
        raise ValueError(f"Need at least one round and one configuration. Received: rounds={rounds}, names={list(names)}")
    results = []
    for round_index in range(rounds):
        order = list(names) if round_index % 2 == 0 else list(reversed(names))
        rates = {}
        for name in order:
            rates[name] = measure(name)
            print(f"round {round_index + 1}/{rounds}: {name}: {rates[name]:.1f} images/s", file=sys.stderr, flush=True)
        results.append({name: rates[name] for name in names})
    return results


def spread(values: Sequence[float]) -> dict:
    """Median, minimum, maximum and every value."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "values": list(values)}


def summarise(rounds: list[dict[str, float]], ratios: dict[str, tuple[str, str]]) -> dict:
    """Rates per configuration and each named ratio (numerator, denominator) computed within each round."""
    names = list(rounds[0])
    return {
        "images_per_s": {name: spread([round_rates[name] for round_rates in rounds]) for name in names},
        "ratios": {label: spread([r[top] / r[bottom] for r in rounds]) for label, (top, bottom) in ratios.items()},
    }


def rate_in_subprocess(script: str, arguments: Sequence[str]) -> float:
    """Runs `python script *arguments` and reads the rate it prints on its last line."""
    output = subprocess.run([sys.executable, script, *arguments], check=True, capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1])


def print_table(summary: dict) -> None:
    """Median and range of every rate and ratio."""
    for name, values in summary["images_per_s"].items():
        print(f"{name:<58} {values['median']:>9.1f} images/s  ({values['min']:.1f} to {values['max']:.1f})")
    for label, values in summary["ratios"].items():
        print(f"{label:<58} {values['median']:>9.3f}x         ({values['min']:.3f} to {values['max']:.3f})")

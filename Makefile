# The two commands: `make demo` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-benchmarks
SHARED_DATA := $(abspath ../shared/data)

ifneq ($(wildcard $(SHARED_DATA)/mnist),)
export GENREPAIR_DATA_DIR ?= $(SHARED_DATA)
endif
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: demo test test-fast install benchmarks presets clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): setup.cfg setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,benchmarks]"
	touch $(BENCH_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/genrepair-demo --output=demo_output

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests

test-fast: $(STAMP)  # For development: everything but the tests marked slow.
	$(BIN)/python -m pytest -n 2 -m "not slow" tests

benchmarks: $(BENCH_STAMP)
	$(BIN)/python benchmarks/pipeline_throughput.py

presets: $(STAMP)  # Retrains every shipped preset from scratch with its recorded experiment (hours on 2 cores).
	rm -rf workdirs/presets
	$(BIN)/python tools/build_presets.py

clean:
	rm -rf $(VENV) demo_output *.egg-info

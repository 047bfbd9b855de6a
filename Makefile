# Two commands: `make report` (set up + run the quick profile) and `make test` (set up + tests).
SHELL := bash
.SHELLFLAGS := -eo pipefail -c
VENV ?= .venv
PY := $(VENV)/bin/python
SNAKEMAKE_ARGS ?= --cores all
# A profile other than the quick default: `make report CONFIG=config/standard.yaml`. It is checked by
# `resbench config` first, so a file Snakemake cannot read (not UTF-8, missing, a folder) is one line.
CONFIG ?=
CONFIG_ARGS := $(if $(CONFIG),--configfile "$(CONFIG)")
CHECK_CONFIG = $(if $(CONFIG),$(PY) -m resbench config "$(CONFIG)" >/dev/null &&) true
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: check-foreign-venv setup report figures test test-cluster lint clean help

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# The tested torch pins are installed first (served from local disk on the reference machine);
# pyproject.toml keeps loose ranges.
# An environment make did not create (VENV=path/to/yours, without the .made-by-resbench marker make
# leaves in its own) is never installed into: it is only checked, and what it lacks is said in one line.
FOREIGN_VENV := $(shell test -x $(PY) && ! test -e $(VENV)/.made-by-resbench && echo yes)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || { python3 -m venv $(VENV) && touch $(VENV)/.made-by-resbench; }
	$(PY) -m pip install -q --upgrade pip 2>&1 | { grep -v "is ignored" || true; }
	$(PY) -m pip install -q torch==2.14.1 torchvision==0.29.1 2>&1 | { grep -v "is ignored" || true; }
	$(PY) -m pip install -q -e '.[test]' 2>&1 | { grep -v "is ignored" || true; }
	$(PY) -c "import resbench, torch, snakemake, weasyprint" && touch $@

check-foreign-venv:
	@$(PY) -c "import resbench, torch, snakemake, weasyprint" 2>/dev/null || { echo "make: $(VENV) was not created by make and lacks resbench or its dependencies; install them yourself (pip install -e '.[test]') or leave VENV unset" >&2; exit 1; }

setup: $(if $(FOREIGN_VENV),check-foreign-venv,$(VENV)/.installed)  ## create .venv and install resbench with its tested pins

report: setup  ## run the workflow (quick profile; CONFIG=config/standard.yaml for another) -> reports/<profile>/report.{html,pdf}
	@$(CHECK_CONFIG)
	@start=$$(date +%s); status=0; snakemake $(SNAKEMAKE_ARGS) $(CONFIG_ARGS) || status=$$?; \
	echo "make report: $$(( $$(date +%s) - start )) s of workflow time"; exit $$status

figures: setup  ## re-render figures and reports from cached results (no training)
	@$(CHECK_CONFIG)
	snakemake $(SNAKEMAKE_ARGS) $(CONFIG_ARGS) --forcerun figures report

test: setup  ## run the test suite (installs nothing outside .venv)
	$(PY) -m pytest -q -m "not cluster"

test-cluster: setup  ## as root: apt-get installs SLURM + munge, starts them, runs the workflow through SLURM
	$(PY) -m pytest -q -m cluster

lint: setup  ## snakemake --lint
	snakemake --lint

clean:  ## remove results, reports and logs (keeps .venv and data/)
	rm -rf results reports/*/ logs .snakemake

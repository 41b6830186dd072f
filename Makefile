# HME Workbench: the front door. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp
DEMO := outputs/demo
DEMO_YEARS := 2023 2024 2025
LATEST := 2025
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
APT_PACKAGES := poppler-utils chromium fonts-dejavu-core fonts-liberation

.PHONY: help setup lock sysdeps demo test lint bench clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-8s %s\n", $$1, $$2}'

LOCK := requirements.lock

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name hme-workbench --display-name "HME Workbench" >/dev/null
	touch $(STAMP)

setup: $(STAMP) ## Create .venv, install the exact hash-checked versions of requirements.lock, register the Jupyter kernel

lock: ## Regenerate requirements.lock from pyproject.toml (uv in a throwaway venv); commit the result
	rm -rf /tmp/hme-uv-$$$$ && $(PYTHON) -m venv /tmp/hme-uv-$$$$ && /tmp/hme-uv-$$$$/bin/pip install --quiet uv && \
	/tmp/hme-uv-$$$$/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
	  --python-version 3.11 -o $(LOCK); rc=$$?; rm -rf /tmp/hme-uv-$$$$; exit $$rc

sysdeps: ## Install the Debian packages the tests and reports use (pdftoppm, chromium, fonts)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: setup sysdeps ## Demo data, ingest three years, scores, every unit's report for the latest year, research workbook
	$(BIN)/hme demo-data --out $(DEMO)
	@for y in $(DEMO_YEARS); do \
	  $(BIN)/hme ingest $(DEMO)/responses_$$y.csv --year $$y --org $(DEMO)/org_$$y.csv \
	    --headcount $(DEMO)/headcount.csv --replace || exit $$?; \
	done
	$(BIN)/hme ingest-outcomes $(DEMO)/outcomes.csv
	$(BIN)/hme score --year $(LATEST) --out outputs/scores_$(LATEST).csv
	$(BIN)/hme reports --year $(LATEST) --workers $(WORKERS)
	$(BIN)/hme research --n-boot 200
	@echo "Report index: outputs/reports/$(LATEST)/index.html"
	@echo "Research workbook: outputs/research/report.html"

test: setup sysdeps ## Install what is needed and run the whole test suite
	$(BIN)/python -m pytest -q -p no:cacheprovider tests hme_core --doctest-modules

lint: setup ## ruff, and a check that notebooks carry no outputs
	$(BIN)/ruff check hme_core tests tools
	$(BIN)/python -m tools.nbcheck notebooks

bench: setup sysdeps ## Benchmarks; numbers go to outputs/bench/results.json
	$(BIN)/python -m tools.bench

clean: ## Remove generated outputs (keeps outputs/.gitkeep) and caches
	find outputs -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis

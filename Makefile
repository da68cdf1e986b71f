# Two commands do all set-up (see README): `make demo` and `make test`.
# Both are idempotent: apt-get runs only when a package is missing, pip only when
# pyproject.toml changed since the last install.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-rus fonts-ocr-b fonts-dejavu-core \
                fonts-dejavu-extra \
                libgl1 libglib2.0-0 postgresql \
                fonts-dancingscript fonts-kristi fonts-urw-base35 fonts-dkg-handwriting \
                fonts-breip fonts-humor-sans fonts-comic-neue fonts-liberation \
                chromium
# fixtures/booklet/caravan draws with ParaType (PT Sans/Serif/Mono) and GNU FreeFont.
APT_PACKAGES += fonts-paratype fonts-freefont-ttf
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: setup system-packages demo test test-all lint bench bench-quick models clean screenshot \
	docs-picture

setup: system-packages $(STAMP)

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(BIN)/screening demo

test: setup
	$(BIN)/ruff check screening fixtures tests benchmarks models
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-all: setup
	$(BIN)/python -m pytest -n 2 --runslow $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check screening fixtures tests benchmarks models
	$(BIN)/ruff format --check screening fixtures tests benchmarks models

# The README's picture of one gallery section, made by the gallery tests.
docs-picture: setup
	SCREENING_WRITE_DOCS=1 $(BIN)/python -m pytest -q tests/test_gallery.py -k readme_picture

bench: setup
	$(BIN)/python -m benchmarks

bench-quick: setup
	$(BIN)/python -m benchmarks --quick

# The README's picture of the web station, made by the browser test.
screenshot: setup
	SCREENING_UPDATE_SCREENSHOT=1 $(BIN)/python -m pytest -q tests/test_web_browser.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

# Everything a fresh machine with Python 3.11 and make needs: each target sets itself up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BASE_STAMP := $(VENV)/.base-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: demo test lint bench bench-large screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BASE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(BASE_STAMP)

## demo: set up, build the feeds of content/ with config.yaml, and send the demo digest to the outbox
demo: $(BASE_STAMP)
	$(BIN)/feeds build
	$(BIN)/feeds subscribers add demo@example.com --digest daily --name "Demo Reader"
	$(BIN)/feeds digest daily --send --since 2026-11-01T00:00:00Z
	@echo "Feeds are in public/, the digest email in outbox/. Try: $(BIN)/feeds serve"

## test: set up with the test extras, lint, type-check and run the whole suite
test: $(TEST_STAMP) lint
	FEEDS_TEST_DERANDOMIZE=1 $(BIN)/pytest -n 2 -p no:cacheprovider

lint: $(TEST_STAMP)
	$(BIN)/ruff check feeds tests bench
	$(BIN)/mypy

## bench: cold/warm/one-changed/one-added builds at 1 000 and 10 000 articles (Hugo too when installed),
## then 1 000 to 10 000 personalized digests sent to an SMTP server on 127.0.0.1 (aiosmtpd: test extras)
bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/digest.py

bench-large: $(TEST_STAMP)
	$(BIN)/python bench/run.py --large
	$(BIN)/python bench/digest.py --sizes 1000 10000 30000

## screenshots: the digest on desktop and phone and the feed page, into docs/ (needs chromium)
screenshots: $(TEST_STAMP)
	$(BIN)/python docs/make_screenshots.py

clean:
	rm -rf public outbox .feeds build *.egg-info

# medialib: `make run` serves the sample library, `make test` runs the tests. `make help` lists all.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help system-deps venv sample run test test-fast lint bench clean translations

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

system-deps: ## Install missing Debian packages (ffmpeg, espeak-ng, fonts)
	@scripts/system-deps

$(BIN)/medialib: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip >/dev/null
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

venv: $(BIN)/medialib ## Create .venv with medialib and its test tools

sample: system-deps venv ## Render the sample library's media and build its database and index
	$(BIN)/medialib --library . demo

run: sample ## Set up and serve the sample library at http://127.0.0.1:8000
	$(BIN)/medialib --library . serve --host $(HOST) --port $(PORT)

node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --silent
	@touch $@

test: ## Set up everything the tests need (chromium, axe-core) and run them all
	@scripts/system-deps --test
	@$(MAKE) --no-print-directory venv node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -q -n auto

# Fast: no browser, no media rendered by ffmpeg or espeak-ng, no child processes (the `slow` and
# `browser` marks, set in tests/conftest.py): the unit layer and the test-client and CliRunner
# tests, 1,176 of the suite's 1,386, about 29 s of CPU: ~15 s on two otherwise idle cores.
test-fast: venv ## Run the quick tests (no browser, ffmpeg or child processes), under 20 s
	$(BIN)/python -m pytest -q -n auto -m "not browser and not slow"

lint: venv ## ruff and mypy
	$(BIN)/ruff check medialib tests bench
	$(BIN)/mypy

# The interface's messages: extracted from medialib/**.py and the templates (babel.cfg) with the
# keywords medialib.i18n names, merged into every catalog, then compiled (a check: the app compiles
# each .po itself when no up-to-date .mo is beside it, so a clone needs no build step).
TRANSLATIONS := medialib/translations
translations: venv ## Extract interface messages, update every language's catalog, compile them
	@mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -c Translators: --no-default-keywords --no-location --sort-output \
	  $$($(BIN)/python -c 'import medialib.i18n as i; print(" ".join("-k " + k for k in i.EXTRACT_KEYWORDS))') \
	  --project=medialib -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching \
	  --ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics

bench: venv ## Run the benchmarks (minutes); figures go to bench/RESULTS.md
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/run_all.py

clean: ## Remove derived state (database, index, rendered media)
	rm -rf instance .staging
	rm -f media/*/*.mp4 media/*/*.m4a media/*/*.jpg

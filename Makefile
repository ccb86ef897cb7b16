# Every target builds its own environment from nothing: `make demo` and `make test` are all the
# set-up a fresh clone needs. The venv gets the CPU build of torch (pinned in constraints.txt).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
OUT ?= out

.PHONY: venv demo docs test check-docs lint clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -c constraints.txt torch==2.13.0
	$(PIP) install -c constraints.txt -e '.[dev]'
	touch $@

## Render every example in configs/ to $(OUT)/ as PNG and CSV.
demo: venv
	$(BIN)/lrplot render configs --out-dir $(OUT) --format png,csv

## Render configs/ into docs/figures/ (PNG + SVG) and write docs/gallery.md. Commit the result;
## CI (.ci/run) fails when they are stale. Up-to-date figures are skipped (docs/figures/.lrplot-manifest.json).
docs: venv
	$(BIN)/lrplot render configs --out-dir docs/figures --format png,svg
	$(BIN)/python -m lrplot.gallery configs --figures docs/figures --out docs/gallery.md

## Lint, type-check, run the test suite, and check that the committed gallery is current.
test: venv lint
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory check-docs

## The committed figures and gallery must be what `make docs` would write now (writes nothing;
## exit 1 lists each stale file).
check-docs: venv
	$(BIN)/lrplot render configs --out-dir docs/figures --format png,svg --check
	$(BIN)/python -m lrplot.gallery configs --figures docs/figures --out docs/gallery.md --check

lint: venv
	$(BIN)/ruff check lrplot tests bench
	$(BIN)/ruff format --check lrplot tests bench
	$(BIN)/mypy

## Rewrite tests/cases/*/*.expected from what lrplot says now; review the diff before committing.
.PHONY: golden
golden: venv
	$(BIN)/python tests/golden.py

## Time lrplot against the floor torch sets (a few minutes; BENCH_ARGS=--quick for a short run).
.PHONY: bench
bench: venv
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache

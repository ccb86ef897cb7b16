# Every target builds its own environment from nothing: `make demo` and `make test` are all the
# set-up a fresh clone needs.
#
# .venv      : the CPU build of torch 2.13.0 + lrplot[dev,transformers,lightning,tensorboard],
#              everything pinned in constraints.txt. Never torchvision here: PyPI's torchvision
#              is a CUDA build that fails to import beside the CPU torch ("operator
#              torchvision::nms does not exist", pytorch/vision#9085), and transformers' Trainer
#              and Lightning (through torchmetrics) import it whenever it is installed.
# .venv-timm : for the timm family only. timm imports torchvision when it loads, PyPI has no CPU
#              torchvision for Linux x86_64 and no sdist to build one, so this venv takes
#              torch 2.14.1 + torchvision 0.29.1 (a CUDA build that runs on the CPU, ~5.6 GB,
#              pinned in constraints-timm.txt; pip takes both from this machine's disk) and runs
#              the tests marked `timm`. lrplot itself never patches an installed package, and a
#              user's own torch + torchvision install is untouched.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
VENV_TIMM ?= .venv-timm
BIN_TIMM := $(VENV_TIMM)/bin
PIP_TIMM := $(BIN_TIMM)/python -m pip --disable-pip-version-check -q
OUT ?= out
# No hub downloads and no telemetry, in tests and CI: nothing here needs the network.
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: venv venv-timm demo docs test check-docs lint clean

# The README's examples outside the gallery: a resumed run, and check-log of a real run's log
# (docs/examples/check-log/make_run.py wrote run.csv) against its plan.
DOC_EXAMPLES := docs/examples/resume.yaml
CHECK_LOG_EXAMPLE := docs/examples/check-log/spec.yaml docs/examples/check-log/run.csv

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -c constraints.txt torch==2.13.0
	$(PIP) install -c constraints.txt -e '.[dev,transformers,lightning,tensorboard]'
	touch $@

venv-timm: $(VENV_TIMM)/.installed

$(VENV_TIMM)/.installed: pyproject.toml constraints.txt constraints-timm.txt
	$(PYTHON) -m venv $(VENV_TIMM)
	grep -v '^torch==' constraints.txt > $(VENV_TIMM)/constraints-shared.txt
	$(PIP_TIMM) install -c $(VENV_TIMM)/constraints-shared.txt -c constraints-timm.txt torch==2.14.1 torchvision==0.29.1
	$(PIP_TIMM) install -c $(VENV_TIMM)/constraints-shared.txt -c constraints-timm.txt -e '.[dev,timm]'
	touch $@

# The examples: configs/timm-*.yaml need timm, so they render in .venv-timm; every other one in
# .venv. configs/import-*.yaml import configs/schedules.py, which a config can never allow by
# itself: the render passes --allow-import schedules.
TIMM_CONFIGS := $(sort $(wildcard configs/timm-*.yaml))
CONFIGS := $(filter-out $(TIMM_CONFIGS),$(sort $(wildcard configs/*.yaml)))
ALLOW := --allow-import schedules

## Render every example in configs/ to $(OUT)/ as PNG and CSV.
demo: venv venv-timm
	$(BIN)/lrplot render $(CONFIGS) --out-dir $(OUT) --format png,csv $(ALLOW)
	$(BIN_TIMM)/lrplot render $(TIMM_CONFIGS) --out-dir $(OUT) --format png,csv

## Render configs/ into docs/figures/ (PNG + SVG, light and -dark) and write docs/gallery.md.
## Commit the result; CI (.ci/run) fails when they are stale. Up-to-date figures are skipped
## (docs/figures/.lrplot-manifest.json; it records one environment, so a run in the other venv
## renders its configs again).
docs: venv venv-timm
	$(BIN)/lrplot render $(CONFIGS) --out-dir docs/figures --format png,svg --theme both $(ALLOW)
	$(BIN_TIMM)/lrplot render $(TIMM_CONFIGS) --out-dir docs/figures --format png,svg --theme both
	$(BIN)/python -m lrplot.gallery configs --figures docs/figures --out docs/gallery.md --dark
	$(BIN)/lrplot render $(DOC_EXAMPLES) --out-dir docs/figures --format png
	$(BIN)/lrplot check-log $(CHECK_LOG_EXAMPLE) -o docs/figures/check-log.png || test $$? -eq 1

## Lint, type-check, run the test suite, and check that the committed gallery is current.
test: venv venv-timm lint
	$(BIN)/python -m pytest -q -m "not timm"
	$(BIN_TIMM)/python -m pytest -q -m timm
	$(MAKE) --no-print-directory check-docs

## The committed figures and gallery must be what `make docs` would write now (writes nothing;
## exit 1 lists each stale file).
check-docs: venv venv-timm
	$(BIN)/lrplot render $(CONFIGS) --out-dir docs/figures --format png,svg --theme both $(ALLOW) --check
	$(BIN_TIMM)/lrplot render $(TIMM_CONFIGS) --out-dir docs/figures --format png,svg --theme both --check
	$(BIN)/python -m lrplot.gallery configs --figures docs/figures --out docs/gallery.md --dark --check
	$(BIN)/lrplot render $(DOC_EXAMPLES) --out-dir docs/figures --format png --check
	rm -rf .check-docs && mkdir .check-docs
	$(BIN)/lrplot check-log $(CHECK_LOG_EXAMPLE) -o .check-docs/check-log.png || test $$? -eq 1
	cmp docs/figures/check-log.png .check-docs/check-log.png || \
		(echo "stale: docs/figures/check-log.png (run make docs)"; exit 1)
	rm -rf .check-docs

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
	rm -rf $(VENV) $(VENV_TIMM) $(OUT) .pytest_cache .mypy_cache .ruff_cache .check-docs

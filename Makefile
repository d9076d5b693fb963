# The two commands: `make report` and `make test`. Both start from nothing but python3.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: report test venv lint typecheck pytest pytest-isa clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[torch,fast,test,dev,notebook,browser,pep,distributed]"
	touch $(STAMP)

venv: $(STAMP)

# The chapter's data set, when the shared folder is beside the checkout.
AIRFOIL ?= $(wildcard ../shared/data/airfoil_self_noise.dat)

report: $(STAMP)
	OPTHEORY_AIRFOIL="$(abspath $(AIRFOIL))" $(VENV)/bin/optheory report --out reports

lint: $(STAMP)
	$(VENV)/bin/ruff check optheory tests scripts

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# One worker per core (pytest-xdist); a test module stays on one worker, so module fixtures
# (and the full report that every test of tests/report/test_topics_pages.py reads) are
# computed once per pass.
XDIST := -n auto --dist loadfile

pytest: $(STAMP)
	$(VENV)/bin/pytest -q $(XDIST)

# The CPU-independence tests (parity with torch.optim, report bytes) again under each
# instruction-set profile that lowers this CPU's kernels (scripts/isa_env.py): AVX2 where
# the CPU has AVX-512, and x86-64-v2 (SSE4.2) everywhere.
pytest-isa: $(STAMP)
	@for p in $$($(PY) scripts/isa_env.py --needed); do \
	  echo "== pytest -m isa under the $$p instruction-set profile"; \
	  eval env $$($(PY) scripts/isa_env.py $$p) OPTHEORY_ISA_PROFILE=$$p \
	    $(VENV)/bin/pytest -q $(XDIST) -m isa -p no:cacheprovider || exit 1; \
	done

test: lint typecheck pytest pytest-isa

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

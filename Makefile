# Two commands a researcher needs (see README):
#   make report   build the example analysis (creates .venv from requirements.txt if needed)
#   make test     run the whole test suite (likewise)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
CORPUS ?= corpus/ukraine-troops-2014-05-19
OUT    ?= report
export SOURCE_DATE_EPOCH ?= 1400457600
export PYTHONHASHSEED = 0
export MPLBACKEND = Agg

.PHONY: report test tables figures check-figures venv chromium bench clean

$(VENV)/.installed: requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	$(PY) -c "from analysis.shared import compile_alignment as a; from analysis.coverage import compile_clustering as c; a(); c()"  # numba's cache
	touch $@

venv: $(VENV)/.installed

# Debian's chromium renders the PDF and runs the browser test; without it the HTML still builds.
chromium:
	@command -v chromium >/dev/null 2>&1 || ( command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1) ) || \
	  echo "note: chromium not installed (needs Debian apt as root); the PDF and browser test will be skipped"

report: venv chromium
	$(PY) -m analysis report $(CORPUS) --out $(OUT) --figures figures

tables: venv
	$(PY) -m analysis tables $(CORPUS) --out $(OUT)/tables

figures: venv
	$(PY) -m analysis figures $(CORPUS) --out figures

# CI: regenerate the committed figures and fail if any byte differs.
check-figures: figures
	git diff --exit-code --stat -- figures

test: venv chromium
	$(PY) -m pytest -q

bench: venv
	$(PY) benchmarks/run.py

clean:
	rm -rf $(OUT) .cache

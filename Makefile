# Two commands on a fresh machine:  `make build` (sample cases into output/) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
VNU    := .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar
AXE    := .cache/axe/node_modules/axe-core/axe.min.js
CITEPROC_JS := .cache/citeproc/node_modules/citeproc/citeproc_commonjs.js

.PHONY: build test check system-deps clean

$(BIN)/casepress: pyproject.toml
	scripts/system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(VNU):
	mkdir -p .cache/vnu
	cd .cache/vnu && npm install --silent --no-audit --no-fund vnu-jar@26.9.27 >/dev/null

$(AXE):
	mkdir -p .cache/axe
	cd .cache/axe && npm install --silent --no-audit --no-fund axe-core@4.14.1 >/dev/null

# citeproc-js, the reference CSL processor: the citation tests' judge (tests/bibjudge.py).
$(CITEPROC_JS):
	mkdir -p .cache/citeproc
	cd .cache/citeproc && npm install --silent --no-audit --no-fund citeproc@2.4.63 >/dev/null

build: $(BIN)/casepress
	$(BIN)/casepress build

check: $(BIN)/casepress
	$(BIN)/casepress check

test: $(BIN)/casepress $(VNU) $(AXE) $(CITEPROC_JS)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .cache output

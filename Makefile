# The two commands: `make run` and `make test`. Both create .venv on first use.
#   make run                 the web app on http://127.0.0.1:8000/ (PORT=8080, HOST=0.0.0.0 to change)
#   make test                installs the test tools too, then runs the tests
PYTHON ?= python3
PORT   ?= 8000
HOST   ?= 127.0.0.1
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install clean

# What running needs, with pip's own progress lines (a first install takes a few minutes).
$(RUN_STAMP): pyproject.toml
	@echo "rammegraf: installerer i $(VENV) (installing into $(VENV)) …"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar off -e .
	$(BIN)/python -m compileall -q src
	@rm -f $(TEST_STAMP)
	touch $(RUN_STAMP)

# The test tools on top (pytest, Playwright, SPARQLWrapper, Oxigraph's server, owlready2).
$(TEST_STAMP): $(RUN_STAMP)
	@echo "rammegraf: installerer testværktøjerne (installing the test tools) …"
	$(BIN)/pip install --progress-bar off -e '.[test]'
	touch $(TEST_STAMP)

install: $(RUN_STAMP)

# The main job: the web app on the shipped data (Ctrl-C stops it).
# compileall: the sources as bytecode for every process to come, even where Python may not
# write it itself (PYTHONDONTWRITEBYTECODE, a tree the server's user cannot write); a
# command then starts 0.06-0.17 s sooner. Only files changed since are compiled again.
run: $(RUN_STAMP)
	@$(BIN)/python -m compileall -q src
	$(BIN)/rammegraf serve --host $(HOST) --port $(PORT)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache

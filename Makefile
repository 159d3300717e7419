# The two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Until the web app exists (issue 5), `make run` is a short tour of the command.
run: $(STAMP)
	$(BIN)/rammegraf validate | head -n 1
	$(BIN)/rammegraf queries
	@echo
	@echo "Hvilke initiativer afhænger af regionens organisering senest 1.1.26?"
	$(BIN)/rammegraf query afhaenger-af-milepael

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache

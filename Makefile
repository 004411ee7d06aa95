# Contract section 1: `make run` and `make test` on a fresh clone.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite bench bench-match install messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $$(scripts/find-python) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/homeward migrate --no-input -v 0
	$(BIN)/homeward demo
	$(BIN)/homeward serve --port $${PORT:-8000}

# The IATI 2.03 schemas the export tests validate against (not vendored: scripts/fetch-iati-schema).
IATI_SCHEMA := var/iati-schema-2.03/iati-activities-schema.xsd

$(IATI_SCHEMA): | $(STAMP)
	PYTHON=$(BIN)/python scripts/fetch-iati-schema

# The whole suite on the database DATABASE_URL names (SQLite when unset).
test: $(STAMP) $(IATI_SCHEMA)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/deliveries.py
	$(BIN)/python bench/reach.py

# Duplicate detection against Splink, and the registration check with 1,000,000 persons
# (needs bench/data/bench-100000.sqlite3, which `make bench` leaves behind).
bench-match: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/match.py
	$(BIN)/python bench/match_check.py
	$(BIN)/python bench/match_registry.py

# After changing interface strings: extract them, translate the new ones in locale/*/django.po
# (tests/test_translations.py fails while any is missing), then compile.
messages: $(STAMP)
	$(BIN)/homeward makemessages -l sq -l sr_Latn -l sr --ignore=.venv --ignore=bench --ignore=tests --ignore=var --no-obsolete
	$(BIN)/homeward compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/*.sqlite3*

# Two commands on a fresh machine: `make run` and `make test`. Python >= 3.11 is all they assume.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SECRET := KOPA_SECRET_KEY_FILE=$${KOPA_SECRET_KEY_FILE:-$(CURDIR)/var/secret_key}

# Every app keeps its own catalog in kopa/<app>/locale/; kopa/locale/ has the few strings of
# kopa/settings.py. One catalog per app lets work on different domains never touch the same file.
APPS := $(patsubst kopa/%/apps.py,%,$(wildcard kopa/*/apps.py))
MESSAGES_OPTIONS := --no-obsolete --no-location -l lv -l et -l en -l uk -l ru

.PHONY: run dev test test-browser lint format messages check-migrations clean bench eval-search

$(BIN)/kopa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

var/secret_key: | $(BIN)/kopa
	mkdir -p var
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

node_modules/axe-core/axe.min.js: package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; \
	else echo "npm not found: browser tests will be skipped"; fi

## The platform as a small library runs it: gunicorn + WhiteNoise on SQLite, debug off.
run: $(BIN)/kopa var/secret_key
	$(SECRET) $(BIN)/kopa migrate --noinput
	$(SECRET) $(BIN)/kopa seed --demo
	$(SECRET) $(BIN)/kopa collectstatic --noinput --verbosity 0
	$(SECRET) PORT=$(PORT) $(BIN)/kopa serve

## Django's development server, with debug on.
dev: $(BIN)/kopa
	KOPA_DEBUG=true $(BIN)/kopa migrate --noinput
	KOPA_DEBUG=true $(BIN)/kopa seed --demo
	KOPA_DEBUG=true $(BIN)/kopa runserver 127.0.0.1:$(PORT)

## The whole suite: unit and integration tests, then the browser and accessibility tests.
# In parallel, one worker per CPU; a test module stays on one worker (the accessibility pages
# share a once-seeded site). PYTEST_ARGS adds to it, e.g. PYTEST_ARGS='-m "not browser"'.
test: $(BIN)/kopa
	-@$(MAKE) --no-print-directory node_modules/axe-core/axe.min.js
	$(BIN)/pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: $(BIN)/kopa
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/kopa
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Extract UI strings (needs GNU gettext) and compile the catalogs.
messages: $(BIN)/kopa
	for app in $(APPS); do \
		(cd kopa/$$app && ../../$(BIN)/kopa makemessages $(MESSAGES_OPTIONS) -i "tests/*") || exit 1; \
	done
	cd kopa && ../$(BIN)/kopa makemessages $(MESSAGES_OPTIONS) $(foreach app,$(APPS),-i $(app))
	$(BIN)/kopa compilemessages --ignore ".venv"

## Performance figures, printed and written to var/bench/, never asserted in tests: the programme
## on PostgreSQL at 127.0.0.1:5432 (uses wrk), the directory at 100,000 services on SQLite and
## PostgreSQL, and the funder's report for 500 activities and 20,000 registrations.
bench: $(BIN)/kopa
	$(BIN)/python bench/programme.py
	$(BIN)/python bench/circle.py
	$(BIN)/python bench/reporting.py

## Quality, speed and memory of the multilingual search on the shared dev set
## (../shared/search-devset): recall@5 and MRR@10 per query language; see docs/search.md.
eval-search: $(BIN)/kopa
	$(BIN)/python bench/search_eval.py

clean:
	rm -rf $(VENV) var node_modules

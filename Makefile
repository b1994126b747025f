# `make run` and `make test` each do every set-up step on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test chat i18n migrate lint bench clean chromium nginx

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Extract message ids from the code and compile the vi/en catalogs.
i18n: $(STAMP)
	$(BIN)/pybabel -q extract --no-default-keywords -k Msg -k button -o locales/messages.pot quiz bot
	$(BIN)/pybabel -q compile --use-fuzzy -d locales -D messages

migrate: $(STAMP)
	$(BIN)/dcbot db upgrade

run: i18n migrate
	$(BIN)/dcbot run

chat: i18n migrate
	$(BIN)/dcbot chat

# The browser tests drive Debian's Chromium (never a browser that Playwright downloads);
# the emoji font lets the page's screenshots show what a phone shows.
chromium:
	test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-color-emoji)

# The recipe in README's "Running at scale" is tested behind a real nginx (tests/operations/test_workers.py);
# RUNLEVEL=1 keeps the package from starting a server of its own on port 80.
nginx:
	test -x /usr/sbin/nginx || (apt-get update && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y nginx)

# The type check and the linter first: they take seconds and catch what tests would find later.
lint: $(STAMP)
	$(BIN)/ruff check quiz bot tests bench
	$(BIN)/mypy

test: i18n chromium nginx lint
	$(BIN)/pytest

bench: i18n
	$(BIN)/python bench/answers.py --db sqlite

clean:
	rm -rf $(VENV) data locales/messages.pot

# dti-pipeline: `make run` runs the whole pipeline on an embedded PostgreSQL, `make test` proves it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: install run test test-stack test-server lint lock clean up down lint-compose

# The dbt manifest the DAGs are rendered from (dti.dbt_manifest): parsed again whenever the dbt
# project changed, which `dti manifest --if-stale` tells from the files' fingerprint.
install: $(INSTALLED)
	$(BIN)/dti manifest --if-stale

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	if command -v uv >/dev/null 2>&1; then \
		uv pip install --python $(BIN)/python -e '.[dev]' -c constraints.txt; \
	else \
		$(BIN)/python -m pip install --quiet --upgrade pip && \
		$(BIN)/python -m pip install --quiet -e '.[dev]' -c constraints.txt; \
	fi
	rm -f $(VENV)/.installed-*
	touch $@

run: install
	$(BIN)/dti run $(if $(PERIOD),--period $(PERIOD))

# pytest's exit code 5 (nothing collected) fails the target like any other failure. The tests run
# on every core (pytest-xdist; PYTEST_WORKERS=0 runs them in this process) and name the slowest 15.
# worksteal: an idle worker takes tests queued behind a long one (the end-to-end run takes minutes).
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=15 $(PYTEST_ARGS)

# The shape the code keeps (ARCHITECTURE.md): ruff on the Python, sqlfluff on the dbt models and
# import-linter's contracts on the package's layers (config in pyproject.toml and .sqlfluff).
lint: install
	$(BIN)/ruff check include dags tests bench scripts
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests
	$(BIN)/lint-imports

# The distributed run: Airflow's api-server, scheduler, dag-processor and Celery workers as local
# processes on the PostgreSQL and Redis of this machine (DTI_TEST_DATABASE_URL, DTI_TEST_BROKER_URL).
test-stack: install
	$(BIN)/python -m pytest tests/stack -m stack $(PYTEST_ARGS)

# Regenerate constraints.txt: resolve pyproject.toml afresh in a scratch environment and pin it all.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^dti-pipeline' > constraints.txt
	rm -rf .lock-venv

# The full stack in Docker (README, "Full stack"): its secrets come from .env, never from the repository.
up:
	@test -f .env || { echo "No .env: cp .env.example .env, then replace every change-me value in it." >&2; exit 1; }
	@if grep -q '^[A-Z_]*=change-me' .env; then \
		echo "Replace the change-me values in .env first:" $$(grep -o '^[A-Z_]*=change-me' .env | cut -d= -f1) >&2; exit 1; \
	fi
	docker compose up -d --build

down:
	docker compose down

# Validates docker-compose.yml against .env.example; needs no Docker engine.
lint-compose:
	scripts/lint-compose

clean:
	rm -rf .dti output dbt_project/target dbt_project/logs

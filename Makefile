# helpdesk_mgmt_mailgate: one command each. Every target does its own set-up.
# See DEVELOPMENT.md for what each step installs and where.

.PHONY: setup db test test-unit test-odoo test-pytest-odoo test-e2e demo lint readme clean bench

VENV_DIR = $${MAILGATE_VENV:-.venv}

setup:  ## virtualenv with Odoo 18.0, helpdesk_mgmt and the test tools
	bash scripts/setup.sh

db:  ## PostgreSQL (the PG* server, else a project-local cluster, kept running) + Odoo config
	bash scripts/postgres.sh

test:  ## all tiers: pure (pytest), Odoo (a fresh database), end to end (IMAP/SMTP)
	bash scripts/test.sh all

test-unit:  ## the pure tier alone: pytest, no Odoo, no database (needs Python and PyPI only)
	bash scripts/test.sh unit

test-odoo:  ## the Odoo tier alone; TAGS=/helpdesk_mgmt_mailgate:TestMailQueue to narrow
	bash scripts/test.sh odoo $(TAGS)

test-pytest-odoo:  ## the Odoo tier run by pytest-odoo instead of Odoo's runner; ARGS=... go to pytest
	bash scripts/test.sh pytest-odoo $(ARGS)

test-e2e:  ## the end-to-end tier alone: Dovecot IMAP and an SMTP sink on loopback
	bash scripts/test.sh e2e

demo:  ## a demo database, the sample mails through the gateway, Odoo on :8069
	bash scripts/demo.sh

lint:  ## ruff, pylint-odoo, the README checks and the other pre-commit hooks (Python and PyPI only, no Odoo; hooks fix files in place)
	bash scripts/setup.sh lint
	"$(VENV_DIR)/bin/pre-commit" run --all-files --show-diff-on-failure

readme:  ## README.rst and static/description/index.html regenerated from readme/*.md by OCA's oca-gen-addon-readme (see DEVELOPMENT.md, Lint)
	bash scripts/readme.sh

bench:  ## the performance benchmark (bench/README.md), not part of the tests: MAILS=N mails per scenario (1000), ROUNDS=N (4)
	bash scripts/bench.sh --mails $(or $(MAILS),1000) --rounds $(or $(ROUNDS),4) $(BENCH_ARGS)

clean:  ## stop the local PostgreSQL, remove .venv, .run and the project's folders under TMPDIR
	bash scripts/clean.sh

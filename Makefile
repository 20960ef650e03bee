# kubesphere.core: set-up, demo and tests. Everything runs from the project's own pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Keyed on the pins and on the emulator's package metadata: a change to either rebuilds the venv.
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.txt emulator/pyproject.toml | cksum | cut -d' ' -f1)
COLLECTIONS := $(CURDIR)/.build/collections
LINK := $(COLLECTIONS)/ansible_collections/kubesphere/core
# One copy per make run (the id of this make process), so two developers' runs in one tree never collide.
SANITY_DIR := $(CURDIR)/.build/sanity-$(shell echo $$PPID)
SANITY_ROOT := $(SANITY_DIR)/ansible_collections/kubesphere/core
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)

.PHONY: help venv demo test units integration test-real fidelity docs docsite molecule package manifest fragments sanity lint bench clean

help:
	@echo "make demo   - start the KubeSphere emulator and onboard a team with playbooks/demo.yml (twice: no change the second time)"
	@echo "make test   - the whole suite: units, integration, fidelity, docs, molecule, sanity, lint"
	@echo "make package - build the collection tarball into .build/dist"
	@echo "make test-real KS_REAL_HOST=http://127.0.0.1:9090 - the integration tests against a real KubeSphere (not part of make test)"
	@echo "make docsite - build the documentation site into .build/docsite/html"
	@echo "make bench  - a tenancy of 20, 200 and 1,000 objects converged six ways, against the HTTP floor (SIZES=, LOOP_MAX=, LARGE=1 adds 10,000 objects)"

# The emulator is a package of its own (emulator/pyproject.toml), installed editable: tests, tools and the
# kubesphere-emulator command run this checkout's code, and tests/emulator/test_emu_package.py builds and
# runs its wheel. Built with the pinned setuptools, not a fresh download.
$(STAMP): requirements-dev.txt emulator/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-build-isolation -e ./emulator
	rm -f $(VENV)/.installed-*
	touch $@

# ansible-core finds collections under <path>/ansible_collections/<ns>/<name>: point that at this checkout.
$(LINK):
	mkdir -p $(dir $(LINK))
	ln -sfn $(CURDIR) $(LINK)

venv: $(STAMP) $(LINK)

demo: venv
	$(BIN)/python tools/with_emulator.py -- $(BIN)/ansible-playbook playbooks/demo.yml

# integration includes the packaging checks (galaxy build, install from the tarball, a play by FQCN,
# ansible-builder introspect and create) and the AWX-style ansible-runner job.
test: units integration docs molecule sanity lint
	@echo "make test: all suites passed"

units: venv
	$(BIN)/python -m pytest -q tests/unit tests/emulator tests/fidelity

# Three workers on two cores: the tests wait on emulated controllers and Ansible start-up about a third of
# the time, so a third worker fills those waits (12.8 min with -n 3, about 14 with -n 2, measured).
integration: venv
	$(BIN)/python -m pytest -q -n 3 tests/integration

# Opt-in, never part of make test or CI: the integration tests against the real KubeSphere that KS_REAL_HOST
# names (KS_REAL_USERNAME, KS_REAL_PASSWORD: admin / P@88w0rd by default). Tests that need the emulator skip
# with the reason, and what the run created is deleted at its end (tests/integration/real_server.py). One test
# at a time: on the emulator each test may have a server of its own, here they share one, and some use fixed names.
test-real: venv
	@if [ -z "$(KS_REAL_HOST)" ]; then echo "make test-real: KS_REAL_HOST is not set (for example KS_REAL_HOST=http://127.0.0.1:9090): nothing run"; \
	else KS_REAL_HOST=$(KS_REAL_HOST) $(BIN)/python -m pytest -q -p no:xdist -rs tests/integration; fi

# ansible-test wants the tree at ansible_collections/kubesphere/core and fetches a pip bootstrap
# script from a host we cannot reach: copy the tracked files there and give it a local stand-in.
sanity: venv
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	git ls-files -co --exclude-standard | while read -r f; do [ -e "$$f" ] && cp --parents -d "$$f" $(SANITY_ROOT); done; true
	$(BIN)/python tools/ansible_test_pip_standin.py
	cd $(SANITY_ROOT) && git init -q && git add -A && \
	  $(BIN)/ansible-test sanity --venv --python 3.11 --color no; \
	  status=$$?; rm -rf $(SANITY_DIR); exit $$status

# Every module, plugin and role renders (antsibull-docs' collection lint, which also checks the guides), the
# changelog is valid, and the documentation site builds without a warning.
docs: venv
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	$(BIN)/antsibull-changelog lint
	$(BIN)/python tools/build_docsite.py

# The documentation site, as the Ansible documentation builds a collection's: .build/docsite/html/index.html.
docsite: venv
	$(BIN)/python tools/build_docsite.py

# The tenant role's molecule scenario (default driver, no containers) against an emulator started for it.
molecule: venv
	cd extensions && $(BIN)/python ../tools/with_emulator.py --members member1 -- $(BIN)/molecule test

# galaxy.yml's allow-list, checked against the files git tracks, then the plain ansible-galaxy build:
# the tarball is the one `ansible-galaxy collection build` makes by hand (tools/build_collection.py).
package: venv
	$(BIN)/python tools/build_collection.py --output-path .build/dist

# Rewrite plugins/doc_fragments/items.py and connection.py's env: entries from tools/build_doc_fragments.py.
fragments: venv
	$(BIN)/python tools/build_doc_fragments.py

# Rewrite galaxy.yml's allow-list after adding or removing a file that ships.
manifest: venv
	$(BIN)/python tools/build_collection.py --update

lint: venv
	$(BIN)/ansible-lint --profile production --offline

bench: venv
	$(BIN)/python tools/bench.py $(if $(SIZES),--sizes $(SIZES)) $(if $(LOOP_MAX),--loop-max $(LOOP_MAX)) $(if $(LARGE),--large)

clean:
	rm -rf .build tests/output .pytest_cache

# Targets for a fresh machine: `make run` and `make test` each set up .venv first (idempotent).
PY      := .venv/bin/python
PORT    ?= 8501
ADDRESS ?= 127.0.0.1
STAMP   := .venv/.installed
# axe-core for the accessibility tests, pinned by tests/browser/axe/package-lock.json (npm ci: exact versions)
AXE     := tests/browser/axe/node_modules/axe-core/axe.min.js

.DEFAULT_GOAL := help
.PHONY: help setup sysdeps setup-axe run test test-fast lint validate boundaries export bench load clean serve-team validate-standard

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP) sysdeps $(AXE) ## .venv with pinned requirements, Debian packages (as root), pinned axe-core

# Debian packages the project needs: Chromium (browser tests, image exports), nginx with brotli (make serve-team),
# LibreOffice Impress and poppler-utils (the deck test), npm (the pinned axe-core). Installed with apt when missing
# and running as root; otherwise a note says what to install.
SYSDEPS_CHECK := command -v chromium && (command -v nginx || test -x /usr/sbin/nginx) \
  && test -e /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so \
  && test -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so && command -v soffice && command -v pdftoppm \
  && command -v npm
sysdeps: ## Install Debian's chromium, nginx (+brotli), libreoffice-impress, poppler-utils, npm when missing (as root)
	@if { $(SYSDEPS_CHECK); } >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian packages (chromium, nginx, libreoffice-impress, poppler-utils, npm)…"; \
	  apt-get update -q >/dev/null \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium nginx libnginx-mod-http-brotli-filter \
	    libnginx-mod-http-brotli-static \
	    $$(command -v npm >/dev/null 2>&1 || echo npm) >/dev/null \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-impress \
	    poppler-utils >/dev/null; \
	else echo "note: install chromium nginx libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static libreoffice-impress poppler-utils npm"; fi

$(AXE): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	cd tests/browser/axe && npm ci --no-audit --no-fund
	touch $(AXE)

setup-axe: $(AXE) ## Install the pinned axe-core for the accessibility tests (needs npm; `make setup` does it)

run: setup ## Run the dashboard (default http://127.0.0.1:8501; ADDRESS=, PORT= to change)
	$(PY) -m streamlit run dashboard/app.py --server.port $(PORT) --server.address $(ADDRESS)

REPLICAS ?= 2
HOSTS ?= localhost,127.0.0.1
serve-team: PORT = 8080
serve-team: setup ## Serve a team: REPLICAS (2) replicas behind nginx on PORT (8080, ADDRESS=, HOSTS=); Ctrl-C stops
	$(PY) -m deploy.serve_team --replicas $(REPLICAS) --port $(PORT) --address $(ADDRESS) --hosts $(HOSTS)

test: setup ## Lint and run every test (browser, proxy, deck and accessibility tests included)
	$(PY) -m ruff check dashboard tests scripts deploy benchmarks
	$(PY) -m pytest -q

test-fast: $(STAMP) ## Tests without the real-browser suite
	$(PY) -m pytest -q -m "not browser"

lint: $(STAMP) ## ruff check
	$(PY) -m ruff check dashboard tests scripts deploy benchmarks

DATA ?= data
validate: $(STAMP) ## Validate a data package (DATA=data) against its datapackage.json: every problem, file/row/field
	$(PY) -m dashboard.validate $(DATA)

validate-standard: $(STAMP) ## The same check by frictionless itself (the standard's reference; slower)
	.venv/bin/frictionless validate $(DATA)/datapackage.json

boundaries: $(STAMP) ## Rebuild data/boundaries.geojson from Natural Earth (npm packages)
	$(PY) scripts/build_boundaries.py

clean: ## Remove caches and build output (keeps .venv)
	rm -rf build .pytest_cache .ruff_cache test-artifacts

export: $(STAMP) ## Write the briefing pack (charts as PNG/SVG/PDF, data, citations) to build/briefing-pack
	$(PY) -m dashboard.export --out build/briefing-pack

.PHONY: load
LOAD_SECONDS ?= 60

bench: $(STAMP) ## Benchmarks: page-ready, reruns 1x-1000x, pack, memory, load, serving (nginx, replicas, validation) (~20 min)
	$(PY) -m benchmarks.run

load: $(STAMP) ## Load test on 127.0.0.1 only: 20 browser sessions, then 1, LOAD_SECONDS (default 60) each
	$(PY) -m benchmarks.load --duration $(LOAD_SECONDS)

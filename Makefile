# Hyperspectral CRNN: set-up, tests and demo on Debian 12 (QGIS 3.22).
#
#   make setup   Debian packages, .venv (torch, ...), plugin symlink, plugin enabled
#   make test    setup + ruff + the whole pytest suite (QGIS headless, 3.22 here)
#   make test-matrix  the whole suite on QGIS 3.40 (Debian 13) and 3.44 (Debian sid),
#                each in a debootstrapped chroot under .build/chroots (reused; as root)
#   make lint    ruff check
#   make demo    setup + the Indian Pines demo into out/demo/
#   make translations  i18n/*.ts -> i18n/*.qm with Qt's lrelease
#   make package  dist/hyperspectral_crnn-<version>.zip (the plugin zip)
#   make benchmark            the Indian Pines accuracy benchmark (long)
#   make benchmark-blocked    the same on a spatially blocked split (long)
#   make benchmark-inference  the speed and memory benchmark
#   make mutation  cosmic-ray mutation score of the core; writes docs/testing.md's figures (long)
#
# Every target is idempotent; reruns skip what is already there.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# QGIS's Python: the Debian one (a python3 from pyenv or conda cannot import qgis).
SYSTEM_PYTHON := /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
REQUIREMENTS_STAMP := $(VENV)/.requirements.stamp
PLUGIN_LINK := .build/plugins/hyperspectral_crnn
# libopenblas0-pthread: numpy's BLAS (without it numpy falls back to the reference BLAS,
# which threadpoolctl cannot hold to one thread); debootstrap: make test-matrix.
DEB_PACKAGES := qgis python3-qgis qgis-providers python3-gdal xvfb xauth python3-venv \
	python3-matplotlib qttools5-dev-tools libopenblas0-pthread debootstrap
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export QT_QPA_PLATFORM ?= offscreen
export DEBIAN_FRONTEND ?= noninteractive

.PHONY: setup debian-packages plugin-link test test-matrix lint demo translations benchmark benchmark-blocked benchmark-area benchmark-cluster screenshots \
	benchmark-inference mutation

setup: debian-packages $(REQUIREMENTS_STAMP) plugin-link translations
	@plugins="$$(scripts/qgis_process plugins 2>/dev/null)"; \
	grep -qx '\* hyperspectral_crnn' <<<"$$plugins" || { \
		echo "make setup: qgis_process does not load the plugin hyperspectral_crnn:" >&2; \
		echo "$$plugins" >&2; exit 1; }

# apt-get update runs only when a package is missing.
debian-packages:
	@missing=""; \
	for package in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q 'install ok installed' \
			|| missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update; \
		$(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

# --system-site-packages: QGIS, GDAL, numpy and scipy come from Debian.
$(PY): | debian-packages
	$(SYSTEM_PYTHON) -m venv --system-site-packages $(VENV)

$(REQUIREMENTS_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install -r requirements.txt
	touch $@

# The one bootstrap: .build/plugins/hyperspectral_crnn links to this checkout, and a .pth
# file puts .build/plugins on the venv's path, so tests, benchmarks and scripts import
# `hyperspectral_crnn` with no sys.path edits of their own.
plugin-link: | $(PY)
	@mkdir -p .build/plugins
	@[ -e $(PLUGIN_LINK) ] || ln -sfn ../.. $(PLUGIN_LINK)
	@$(PY) scripts/checkout_path.py "$(CURDIR)/.build/plugins"

lint: $(REQUIREMENTS_STAMP)
	$(VENV)/bin/ruff check .

# pytest exits 5 when it collects no tests: that is a failure here.
test: setup lint
	@rc=0; $(PY) -m pytest || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

# Each chroot is built once (a few minutes, ~3.5 GB) and reused; a suite whose chroot
# cannot be downloaded is reported and skipped, a failing test fails the target.
test-matrix: lint
	scripts/test_matrix.sh trixie sid

demo: setup
	scripts/demo.sh out/demo

# The compiled translations are committed (the plugin works from a zip); this rebuilds a
# .qm whenever its .ts is newer. After changing user-visible strings, run
# `.venv/bin/python scripts/update_translations.py`, translate what it marks unfinished
# (Qt Linguist or by hand), then `make translations`.
TS_FILES := $(wildcard i18n/*.ts)
QM_FILES := $(TS_FILES:.ts=.qm)
LRELEASE := $(shell command -v lrelease || echo /usr/lib/qt5/bin/lrelease)

translations: $(QM_FILES)

i18n/%.qm: i18n/%.ts | debian-packages
	$(LRELEASE) -silent $< -qm $@

# Accuracy (docs/benchmarks.md), the same on a spatially blocked split
# (docs/benchmarks_blocked.md) and speed/memory (docs/inference.md) benchmarks: long.
benchmark: setup
	$(PY) benchmarks/indian_pines.py

benchmark-blocked: setup
	$(PY) benchmarks/indian_pines.py --n 200 --blocked 16 \
		--methods crnn crnn-raw crnn-window5 svm svm-unit svm-window5 cnn1d-unit \
		--out docs/benchmarks_blocked

benchmark-inference: setup
	$(PY) benchmarks/inference.py

# The dialogs' screenshots, each with the text it shows (docs/images/*.shows.txt), and
# the classified map (a model trained in a minute); tests/test_screenshots.py says when
# they are stale.
screenshots: setup
	xvfb-run -a $(PY) scripts/screenshots.py docs/images

# crnn:sample then crnn:assess on maps of 1, 4 and 10 Mpx (docs/benchmarks_area.md).
benchmark-area: setup
	$(PY) benchmarks/area.py

# The Dask engine against the local one on this machine (docs/scaling.md).
benchmark-cluster: setup
	$(PY) benchmarks/cluster.py

# Mutation testing (docs/testing.md): cosmic-ray in its own venv mutates a temporary copy
# of the checkout, never the checkout itself; the report goes to out/mutation/ and each
# target's figures and survivors into docs/testing.md (between its marker comments).
# MUTATION_ARGS="--targets lop config" runs some targets, "--count" only counts mutants.
MUTATION_VENV := .build/mutation-venv
MUTATION_STAMP := $(MUTATION_VENV)/.requirements.stamp

$(MUTATION_STAMP): requirements-mutation.txt | debian-packages
	[ -x $(MUTATION_VENV)/bin/python ] || $(SYSTEM_PYTHON) -m venv $(MUTATION_VENV)
	$(MUTATION_VENV)/bin/python -m pip install -r requirements-mutation.txt
	touch $@

mutation: $(REQUIREMENTS_STAMP) $(MUTATION_STAMP)
	nice -n 10 $(MUTATION_VENV)/bin/python scripts/mutation.py $(MUTATION_ARGS)

# dist/hyperspectral_crnn-<version>.zip for plugins.qgis.org or Install from ZIP
# (scripts/package.py says what goes in and which upload rules it checks).
.PHONY: package
package: translations
	$(SYSTEM_PYTHON) scripts/package.py

# taosarrow — the two commands a fresh machine needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
CARGO ?= cargo
# Python packages the tests and the demo use; taos-ws-py is the official client, our oracle.
PY_DEPS := "maturin>=1.9,<2" "pytest>=8" "pyarrow>=14" "pandas>=2.0" "polars>=1.0" "taos-ws-py==0.7.0" numpy \
	"sqlalchemy>=2.0" "DBUtils>=3" nbclient nbformat ipykernel matplotlib

.PHONY: test test-rust test-python venv develop demo lint fmt bench bench-python wheel wheel-connector fuzz clean

## test: every Rust and Python test (debug builds).
test: test-rust test-python

# The taos-query cross-check is a workspace of its own (see its Cargo.toml for why).
ORACLE := --manifest-path tests/oracle-taos-query/Cargo.toml

test-rust:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc
	$(CARGO) test $(ORACLE)

$(VENV)/.deps: Makefile
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q $(PY_DEPS)
	touch $@

venv: $(VENV)/.deps

## develop: build the native module (debug) into .venv.
develop: venv
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/maturin develop -q

test-python: develop
	# Same targets as test-rust, so the same feature set: a no-op after it (building one package alone
	# would resolve other features and rebuild DataFusion).
	$(CARGO) build --workspace --all-targets
	TAOSARROW_SERVER_BIN=$${CARGO_TARGET_DIR:-target}/debug/taosarrow $(VPY) -m pytest -q tests/python

## demo: ingest a DataFrame into the embedded server and read it back into pandas and polars.
## The first release build compiles DataFusion (see README for how long it takes); cargo's
## progress is shown, not hidden behind -q.
demo: venv
	@echo "== Building the native module (release). A first build compiles every dependency, DataFusion included; later ones take seconds."
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/maturin develop --release
	$(VPY) examples/demo.py

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) fmt $(ORACLE) -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy $(ORACLE) --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all
	$(CARGO) fmt $(ORACLE)

bench:
	$(CARGO) bench --workspace

## bench-python: release build of the native module, then the read and write comparisons
## against taos-ws-py (same embedded server, one run each).
bench-python: venv
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/maturin develop -q --release
	$(VPY) benches/python/read_bench.py
	$(VPY) benches/python/ingest_bench.py
	$(VPY) benches/python/schemaless_bench.py
	$(VPY) benches/python/tmq_bench.py

## wheel: the abi3 wheel (release), embedded server included, into dist/.
wheel: venv
	$(VENV)/bin/maturin build --release -o dist

## wheel-connector: the connector-only abi3 wheel (release, no embedded server: no DataFusion
## to build, a few minutes), into dist/.
wheel-connector: venv
	$(VENV)/bin/maturin build --release --no-default-features --features extension-module -o dist

## fuzz: every cargo-fuzz target of fuzz/ for FUZZ_SECONDS each (default 600); see fuzz/README.md.
FUZZ_SECONDS ?= 600
fuzz:
	.ci/fuzz $(FUZZ_SECONDS)

clean:
	$(CARGO) clean
	rm -rf $(VENV)

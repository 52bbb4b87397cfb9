# cluster_health: the browser the HTML report test opens, and the benchmark (not part of `make test`).
APT_PACKAGES += chromium

.PHONY: bench
bench: venv
	$(BIN)/python bench/health_bench.py --out bench/results.md

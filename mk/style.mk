# Python style: every tracked Python file is formatted by black (pyproject.toml: line length 120, long strings split)
# and no line exceeds the line length (ruff's E501 also sees comments and docstrings, which black leaves alone).
# git ls-files lists only the project's own files, never .venv*, collections/ or .build/.
TEST_TARGETS += test-style

.PHONY: test-style format
test-style: venv
	@files="$$(git ls-files '*.py')"; \
	$(BIN)/ruff check --quiet --select E501 $$files && $(BIN)/black --check --quiet $$files \
	  || { echo "test-style: run 'make format', then shorten the lines ruff names" >&2; exit 1; }

format: venv
	@$(BIN)/black --quiet $$(git ls-files '*.py')

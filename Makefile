# percpu-ts: `make` installs, regenerates, verifies generated/ against git and runs
# the demo; `make test` runs the whole suite (type-check, generated-output check, tests).
NPM ?= npm
TSX := node_modules/.bin/tsx
# C files whose percpu-cc translation is committed beside them (golden output).
CC_GOLDEN := $(wildcard test/cc/golden/*.c)

.PHONY: all install generate verify-committed check typecheck test demo bench bench-quick build docs clean

all: install generate verify-committed demo

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

generate: install
	node bin/percpu-gen.mjs
	node bin/percpu-cc.mjs $(CC_GOLDEN) --out test/cc/golden

# After `make generate`: generated/ must be byte-identical to what git has (no new files either).
verify-committed:
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  if [ -n "$$(git status --porcelain -- generated/ test/cc/golden/)" ]; then \
	    git status --short -- generated/ test/cc/golden/; git --no-pager diff --stat -- generated/ test/cc/golden/; \
	    echo "generated/ differs from the committed files: commit the regenerated output"; exit 1; \
	  else echo "generated/ is byte-identical to the committed files"; fi; \
	fi

# Hand edits (sha256 trailers) and drift (a fresh run into a temporary folder, diffed).
check: install
	node bin/percpu-gen.mjs --check
	node bin/percpu-cc.mjs --check $(CC_GOLDEN) --out test/cc/golden

typecheck: install
	node_modules/.bin/tsc --noEmit -p tsconfig.json

test: install typecheck check
	node_modules/.bin/vitest run

demo: install
	$(TSX) src/cli/percpu-sim.ts demo

bench: install
	$(TSX) bench/run.ts

bench-quick: install
	$(TSX) bench/run.ts --quick

# The package's dist/ (npm pack runs this through prepack); the development loop needs no build.
build: install
	$(NPM) run build

# The API reference from the TSDoc comments (TypeDoc; an exported symbol without a doc comment fails it).
docs: install
	node_modules/.bin/typedoc

clean:
	rm -rf node_modules dist docs/api

# percpu-ts: `make` installs, regenerates, checks generated/ and runs the demo;
# `make test` runs the whole suite (type-check, generated-output check, tests).
NPM ?= npm
TSX := node_modules/.bin/tsx

.PHONY: all install generate check typecheck test demo bench bench-quick clean

all: install generate check demo

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

generate: install
	$(TSX) generator/cli.ts

check: install
	$(TSX) generator/cli.ts --check

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

clean:
	rm -rf node_modules

# Shortcuts for the npm scripts in package.json (the scripts are the source of truth).
STACK ?= dev
FORMAT ?= text

.PHONY: help install format lint test plan cost diff bench

help:
	@echo "make install    npm ci: install the locked dependencies"
	@echo "make format     prettier --write: the formatting npm run lint checks"
	@echo "make lint       eslint, prettier --check, then tsc --noEmit"
	@echo "make test       lint alongside the mocha suites, in parallel (what CI runs)"
	@echo "make plan       offline plan of one stack, no credentials: STACK=$(STACK) FORMAT=$(FORMAT) (text|json)"
	@echo "make cost       monthly cost estimate of one stack from its offline plan: STACK=$(STACK) FORMAT=$(FORMAT) (text|json)"
	@echo "make diff       PR report of a stack against a git ref: BASE=origin/main STACK=$(STACK) (or STACK=--all) FORMAT=text|markdown|json"
	@echo "make bench      offline plan of every stack (and 100 models) against a flat program: time and memory ratios"

install:
	npm ci

format:
	npm run --silent format

lint:
	npm run lint

test:
	npm test

plan:
	npm run --silent plan -- --stack $(STACK) --format $(FORMAT)

cost:
	npm run --silent cost -- --stack $(STACK) --format $(FORMAT)

BASE ?= origin/main

diff:
	npm run --silent diff -- --base $(BASE) $(if $(filter --all,$(STACK)),--all,--stack $(STACK)) --format $(FORMAT)

bench:
	npm run --silent bench

# invited — developer entry points. Only Go is needed; the tools the
# targets use are built from versions pinned in tools/go.mod.

GO        ?= go
BIN       := $(CURDIR)/bin
GOLANGCI  := $(BIN)/golangci-lint
SWAG      := $(BIN)/swag
OAPI      := $(BIN)/oapi-codegen

REDOCLY   := tools/redocly/node_modules/.bin/redocly
SPECTRAL  := tools/spectral/node_modules/.bin/spectral

# The Go client is a module of its own, for partners to import; its tests
# run its example against the binary built from this tree.
GO_CLIENT := clients/go

# What `make docs` generates, and so what `make check-docs` compares.
GENERATED := openapi.yaml docs/swagger.json docs/problems.md clients/go/client.gen.go

# What `make web` generates, and so what `make check-web` compares.
WEB_GENERATED := web/dist clients/typescript/src/schema.ts clients/typescript/dist
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

# The packages with concurrency, which CI tests under the race detector.
RACE_PKGS := ./api ./internal/people ./internal/store ./internal/jobs ./internal/mail/... ./internal/maildomain/... ./internal/webhooks/...
# The API suite runs under the detector on PostgreSQL only (TEST_DIALECTS,
# see internal/testdb), and its SQLite half without it, so CI still runs
# every case on both databases. Under the detector the embedded SQLite
# driver, C translated to Go, is too slow for CI's budget: each statement
# runs thousands of instrumented lines, and the suite's SQLite half needs
# many times the CPU of its PostgreSQL half. The service's concurrency
# (handlers, jobs, webhooks, the dispatcher) is the same Go code on both;
# River on SQLite stays under the detector in the jobs package's tests and
# in the API tests written for SQLite alone (the webhook guide's runs the
# workers).
RACE_API_DIALECTS := postgres
RACE_API_ELSEWHERE := sqlite
# -race turns on the compiler's unsafe.Pointer checks (-d=checkptr) too,
# which in the translated SQLite driver cost more than the race detection
# itself (two thirds of the CPU of an SQLite test): they are turned off for
# the modernc.org packages alone, which stay race-instrumented; every other
# package keeps them.
RACE_GCFLAGS := -gcflags=modernc.org/...=-d=checkptr=0
RACE_TIMEOUT ?= 20m
# go test stops a package after 10 minutes by default; the API and browser
# suites take longer than that on a busy machine.
TEST_TIMEOUT ?= 30m
# The fuzz targets over what every input passes, and how long CI runs each.
FUZZ_TARGETS := ./internal/input:FuzzDecodeJSON ./internal/people:FuzzDecodeCursor
FUZZTIME ?= 15s

.PHONY: run test browser-notice test-race test-ci fuzz build lint lint-openapi lint-owasp fmt tools docs check-docs web check-web screenshots ci clean bench bench-go

## run: start the service on the embedded SQLite database with the demo organization
run:
	LOG_FORMAT=$${LOG_FORMAT:-text} $(GO) run ./cmd/invited serve --demo

## test: run every test (PostgreSQL tests skip with a message when it is unreachable, and the browser
## and TypeScript client tests without Node.js, the npm packages or Chromium; REQUIRE_POSTGRES=1 and
## REQUIRE_BROWSER=1 make them fail instead)
test: browser-notice
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...
	cd $(GO_CLIENT) && $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

# go test shows a skipped test only with -v: say here when the browser tests will skip.
browser-notice:
	@missing=""; command -v node >/dev/null || missing="$$missing Node.js,"; \
		[ -d web/node_modules ] && [ -d clients/typescript/node_modules ] || missing="$$missing the npm packages (make web),"; \
		[ -x "$${CHROMIUM:-/usr/bin/chromium}" ] || missing="$$missing Chromium (apt-get install chromium),"; \
		if [ -n "$$missing" ]; then echo "note: the browser and TypeScript client tests (web/e2e) skip: missing$${missing%,}"; fi

## test-race: the tests of the packages with concurrency under the race detector, the API suite's on
## PostgreSQL alone, which it requires (needs a C compiler)
test-race:
	CGO_ENABLED=1 $(GO) test -race $(RACE_GCFLAGS) -count=1 -timeout $(RACE_TIMEOUT) $(filter-out ./api,$(RACE_PKGS))
	CGO_ENABLED=1 REQUIRE_POSTGRES=1 TEST_DIALECTS=$(RACE_API_DIALECTS) \
		$(GO) test -race $(RACE_GCFLAGS) -count=1 -timeout $(RACE_TIMEOUT) ./api

## test-ci: what CI tests: the packages with concurrency under the race detector (the API suite's SQLite
## half without it), the rest as make test does
test-ci: test-race
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) $$($(GO) list ./... | grep -v -x -F "$$($(GO) list $(RACE_PKGS))")
	TEST_DIALECTS=$(RACE_API_ELSEWHERE) $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./api
	cd $(GO_CLIENT) && $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

## fuzz: run each fuzz target for FUZZTIME from its committed corpus (testdata/fuzz)
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $$t for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

## build: a static binary in bin/invited
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o $(BIN)/invited ./cmd/invited

## tools: build the pinned developer tools into bin/
tools: $(GOLANGCI) $(SWAG) $(OAPI)

$(GOLANGCI) $(SWAG) $(OAPI): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $(BIN)/ \
		github.com/golangci/golangci-lint/v2/cmd/golangci-lint \
		github.com/swaggo/swag/cmd/swag \
		github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen

## lint: gofmt, go vet and golangci-lint
lint: $(GOLANGCI)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GOLANGCI) run ./...
	cd $(GO_CLIENT) && $(GO) vet ./... && $(GOLANGCI) run --config ../../.golangci.yml --timeout 10m ./...

## docs: regenerate the contract from the handlers' annotations: swag writes
## the Swagger 2.0 document, openapigen turns it into openapi.yaml (with
## docs/problems.md from the problem catalogue), oapi-codegen the Go client
## (clients/go, a module of its own)
docs: $(SWAG) $(OAPI)
	$(SWAG) init --quiet --generalInfo doc.go --dir api,internal/apperr --outputTypes json --output docs --requiredByDefault
	$(GO) run ./internal/openapigen/cmd/openapigen -swagger docs/swagger.json -openapi openapi.yaml -problems docs/problems.md
	$(OAPI) -config clients/go/oapi-codegen.yaml openapi.yaml

## check-docs: fail when the committed generated files are not what the annotations generate
check-docs: docs
	@stale=$$(git status --porcelain -- $(GENERATED)); \
		if [ -n "$$stale" ]; then echo "generated files are stale; run make docs and commit them:"; echo "$$stale"; \
		git --no-pager diff --stat -- $(GENERATED); exit 1; fi

## web: rebuild the console (web/dist) and the TypeScript client (types from openapi.yaml, then tsc);
## needs Node.js 20+ and npm
web:
	cd clients/typescript && $(NPM_CI) && npm run --silent generate && npm run --silent build
	cd web && $(NPM_CI) && npm run --silent build

## check-web: fail when the committed web build or generated TypeScript types are not what make web makes
check-web: web
	@stale=$$(git status --porcelain -- $(WEB_GENERATED)); \
		if [ -n "$$stale" ]; then echo "the web build is stale; run make web and commit it:"; echo "$$stale"; exit 1; fi
	cd web && npm run --silent typecheck

## screenshots: retake the pictures of docs/ (README, docs/console.md) with the browser suite
screenshots:
	SCREENSHOTS=docs/images REQUIRE_BROWSER=1 $(GO) test -count=1 -run 'TestBrowser/sqlite' ./web/e2e

## lint-openapi: lint openapi.yaml with Redocly's strictest rules (needs Node.js 20+ and npm)
lint-openapi:
	cd tools/redocly && npm ci --no-audit --no-fund --loglevel=error
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint openapi.yaml --format stylish

## lint-owasp: check openapi.yaml against the OWASP API Security ruleset
## (tools/spectral/ruleset.yaml records each deliberate exception and why;
## needs Node.js 20+ and npm); any finding, error or warning, fails
lint-owasp:
	cd tools/spectral && npm ci --no-audit --no-fund --loglevel=error
	$(SPECTRAL) lint openapi.yaml --ruleset tools/spectral/ruleset.yaml --fail-severity=warn --display-only-failures

## fmt: format the code
fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: load test on a throwaway PostgreSQL database with wrk (BENCHMARKS.md; ~15 minutes; never part of test or ci)
bench:
	bash bench/run.sh

## bench-go: the in-process benchmarks of the hot routes on PostgreSQL
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./internal/bench ./api

## ci: what .ci/run does
ci:
	bash .ci/run

clean:
	rm -rf $(BIN) tools/redocly/node_modules tools/spectral/node_modules web/node_modules web/e2e/.build \
		clients/typescript/node_modules clients/typescript/test-build invited.db invited.db-shm invited.db-wal invited.db.secret

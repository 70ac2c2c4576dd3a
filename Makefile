# The two commands a newcomer needs: `make run` and `make test`.
GO        ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
BUILD_DIR := .build
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Data of `make run` survives restarts here.
KUMO_DATA_DIR ?= $(CURDIR)/.local/data

.PHONY: run test bench build lint vet fmt-check tidy-check staticcheck clean $(FUNCTIONS:%=build-%)

## run: the whole system locally (API, streams, schedules, mail viewer, demo data)
run:
	@mkdir -p $(KUMO_DATA_DIR)
	KUMO_DATA_DIR=$(KUMO_DATA_DIR) $(GO) run ./infra/cmd/local

## test: every test, no network and no Docker
test:
	$(GO) test -race -count=1 -timeout 15m ./...

## bench: the measured figures the issues ask for, each beside its baseline
bench:
	$(GO) run ./infra/cmd/bench

## build: every function as a Lambda bootstrap for linux/arm64
build: $(FUNCTIONS:%=build-%)

$(FUNCTIONS:%=build-%): build-%:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" \
		-o $(BUILD_DIR)/$*/bootstrap ./functions/$*

## lint: formatting, tidy modules, go vet and staticcheck
lint: fmt-check tidy-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# go.mod and go.sum must be what `go mod tidy` makes them, in the project's
# module and in the module the Lambda Runtime Interface Emulator is built from.
tidy-check:
	$(GO) mod tidy -diff
	cd infra/rie/tools && GOWORK=off $(GO) mod tidy -diff

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

clean:
	rm -rf $(BUILD_DIR)

// Package tools pins the versions of the developer tools the Makefile runs
// (swag, golangci-lint, oapi-codegen), apart from the service's own
// dependencies. `make tools` builds them into ./bin.
package tools

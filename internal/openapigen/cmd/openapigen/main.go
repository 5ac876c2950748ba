// Command openapigen writes the published contract, openapi.yaml, from the
// Swagger 2.0 document swag generates out of the handlers' annotations, and
// docs/problems.md from the problem code catalogue. `make docs` runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/openapigen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "openapigen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("openapigen", flag.ContinueOnError)
	in := fs.String("swagger", "docs/swagger.json", "the Swagger 2.0 document swag wrote")
	out := fs.String("openapi", "openapi.yaml", "where to write the OpenAPI 3 contract")
	problems := fs.String("problems", "docs/problems.md", "where to write the problem code catalogue")
	if err := fs.Parse(args); err != nil {
		return err
	}
	swagger, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	doc, err := openapigen.Generate(swagger, apperr.Catalog)
	if err != nil {
		return err
	}
	yaml, err := openapigen.YAML(doc)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, yaml, 0o644); err != nil { //nolint:gosec // a document of the repository, meant to be read
		return err
	}
	return os.WriteFile(*problems, []byte(openapigen.ProblemsMarkdown(apperr.Catalog)), 0o644) //nolint:gosec // likewise
}

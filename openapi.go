// Package invited holds what the binary embeds from the repository root:
// the published OpenAPI contract.
package invited

import _ "embed"

// OpenAPI is openapi.yaml, the OpenAPI 3 contract served at /openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

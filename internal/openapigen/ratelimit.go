package openapigen

import (
	"github.com/getkin/kin-openapi/openapi3"
)

// RateLimitedExtension marks an operation whose answers carry the client's
// quota in the RateLimit-Policy and RateLimit fields
// (draft-ietf-httpapi-ratelimit-headers): `@x-rate-limited true`.
const RateLimitedExtension = "x-rate-limited"

// Names of the rate limit headers.
const (
	headerRateLimitPolicy = "RateLimit-Policy"
	headerRateLimit       = "RateLimit"
)

// rateLimitComponents adds the shared rate limit headers.
func (g *generator) rateLimitComponents() {
	field := func(pattern string, maxLength int64) *openapi3.SchemaRef {
		return openapi3.NewStringSchema().WithPattern(pattern).WithMaxLength(maxLength).NewRef()
	}
	g.doc.Components.Headers["RateLimitPolicy"] = header(
		`The quota of the client's address, as a structured field (draft-ietf-httpapi-ratelimit-headers): the policy "per-ip" allows q requests per window of w seconds, refilled steadily. It is the same on every answer.`,
		true, field(`^"per-ip";q=[0-9]{1,15};w=[0-9]{1,15}$`, 64), `"per-ip";q=60;w=60`)
	g.doc.Components.Headers["RateLimit"] = header(
		`What is left of the quota after this request: r more requests now, and t seconds until one more is allowed (0 when the quota is full). A 429 says r=0 and the same wait as Retry-After.`,
		true, field(`^"per-ip";r=[0-9]{1,15};t=[0-9]{1,15}$`, 64), `"per-ip";r=41;t=1`)
}

// rateLimited reads and removes the operation's x-rate-limited.
func (g *generator) rateLimited(where string, op *openapi3.Operation) bool {
	raw, ok := op.Extensions[RateLimitedExtension]
	if !ok {
		return false
	}
	delete(op.Extensions, RateLimitedExtension)
	on, isBool := raw.(bool)
	if !isBool {
		g.fail("%s: @%s must be true or false, got %v", where, RateLimitedExtension, raw)
	}
	return on
}

// rateLimitHeaders documents the quota fields on every answer of a rate
// limited operation: the limiter runs first, so whatever comes after it,
// success or failure, carries them.
func rateLimitHeaders(r *openapi3.Response) {
	r.Headers[headerRateLimitPolicy] = &openapi3.HeaderRef{Ref: "#/components/headers/RateLimitPolicy"}
	r.Headers[headerRateLimit] = &openapi3.HeaderRef{Ref: "#/components/headers/RateLimit"}
}

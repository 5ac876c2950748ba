// Package webhooks is the transport of the service's outbound webhooks: the
// signing secrets and their encryption at rest, the Standard Webhooks
// signature, the policy on where an endpoint may point, and the HTTP client
// that sends one event to one endpoint without ever reaching an address the
// policy refuses. What to send, when, and what an answer means for the
// delivery is the people package's business; this one only moves bytes.
package webhooks

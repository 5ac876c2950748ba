// Package webhookbench measures outbound webhooks on PostgreSQL: how many
// events per second reach a local receiver, and what an endpoint costs a
// 10,000-user bulk resend. Its benchmark runs only when asked for with
// -bench; BENCHMARKS.md has the command and the numbers.
package webhookbench

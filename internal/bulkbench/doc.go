// Package bulkbench measures bulk resends and imports end to end: the real
// binary against PostgreSQL and the local fake SendGrid. Its benchmark runs
// only when asked for with -bench; BENCHMARKS.md has the command and the numbers.
package bulkbench

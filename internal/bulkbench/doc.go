// Package bulkbench measures bulk resends and imports end to end: the real
// binary against PostgreSQL and the local fake SendGrid. Its only test runs
// when INVITED_BENCH=1; BENCHMARKS.md has the command and the numbers.
package bulkbench

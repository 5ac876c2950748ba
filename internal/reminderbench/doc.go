// Package reminderbench measures the reminder sweep and the invitation
// funnel on PostgreSQL at the size of a large organization: 100,000
// invite-pending people with 10,000 reminders due, and the funnel over
// 100,000 people. Its benchmarks run only when asked for with -bench;
// BENCHMARKS.md has the commands and the numbers.
package reminderbench

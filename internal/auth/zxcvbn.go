package auth

import "github.com/trustelem/zxcvbn/frequency"

// The strength estimator keeps two copies of its word lists for the life
// of the process: frequency.FrequencyLists, the lists as its package
// initialisation builds them (2.8 MiB of string headers on the heap), and
// the ranked dictionaries its matching package builds from them, also at
// initialisation, which are what every estimate reads. Nothing reads the
// first copy again, but as a package variable it stays live: every
// garbage collection marks it and, with GOGC's default, the heap may grow
// twice its size before the next one. The library has no option to skip
// it, so it is dropped here; this package's initialisation runs after the
// library's, which Go orders by import. TestStrengthEstimateAfterListsDropped
// checks that the estimate still uses the dictionaries.
func init() { frequency.FrequencyLists = nil }

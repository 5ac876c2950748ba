//go:build race

package testwait

// The race detector makes code 2–20 times slower (Go's race detector
// documentation); a busy machine adds to that.
const raceFactor = 6

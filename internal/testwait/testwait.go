// Package testwait stretches the deadlines of the test helpers that wait
// for something to happen (an email at the fake SendGrid, a webhook at the
// receiver, a job to finish). A deadline only decides how long a failing
// test takes to say so; the race detector slows the code under test
// several times over, so under it every deadline is stretched in this one
// place instead of each test guessing its own margin.
package testwait

import "time"

// Deadline is d, stretched when the race detector is on.
func Deadline(d time.Duration) time.Duration { return d * raceFactor }

package apitest

import "sync"

// Concurrently sends n requests at the same instant, request(i) building
// the i-th, and returns the responses in order. Tests of races (double
// clicks, replicas resending one user) use it.
func (e *Env) Concurrently(n int, request func(i int) *Response) []*Response {
	e.T.Helper()
	responses := make([]*Response, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			responses[i] = request(i)
		})
	}
	close(start)
	wg.Wait()
	return responses
}

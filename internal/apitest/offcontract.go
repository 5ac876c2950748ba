package apitest

import "net/http"

// OffContract sends requests that break openapi.yaml on purpose — an
// unknown filter value, a malformed id, a password below the documented
// minimum — to prove how the server answers them. The contract check skips
// such a request but still checks the response.
type OffContract struct{ e *Env }

// OffContract returns the environment's off-contract request helpers.
func (e *Env) OffContract() OffContract { return OffContract{e: e} }

// Do is Env.Do with the request marked as breaking the contract.
func (o OffContract) Do(r Request) *Response {
	o.e.T.Helper()
	r.Invalid = true
	return o.e.Do(r)
}

// Get is Env.Get off the contract.
func (o OffContract) Get(path, token string) *Response {
	o.e.T.Helper()
	return o.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

// Post is Env.Post off the contract.
func (o OffContract) Post(path, token string, body any) *Response {
	o.e.T.Helper()
	return o.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// Put is Env.Put off the contract.
func (o OffContract) Put(path, token string, body any) *Response {
	o.e.T.Helper()
	return o.Do(Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
}

// Patch is Env.Patch off the contract.
func (o OffContract) Patch(path, token string, body any) *Response {
	o.e.T.Helper()
	return o.Do(Request{Method: http.MethodPatch, Path: path, Token: token, Body: body})
}

package invited

import (
	"context"
	"net/http"
)

// BearerToken authenticates requests with an access token from SignIn,
// AcceptInvite or the `invited token` command. Pass it to one call, or to
// every call of a client with WithRequestEditorFn.
func BearerToken(token string) RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/invitedhq/invited/internal/demo"
)

// seedDemo seeds the demo organization and tells the user how to try it:
// self is the command that started this program (selfCommand), so the
// hints can be pasted into another terminal as they are.
func seedDemo(ctx context.Context, a *app, w io.Writer, baseURL, self string) error {
	res, err := demo.Seed(ctx, demo.Deps{Store: a.Store, Hasher: a.hasher, Tokens: a.tokens, Signer: a.signer})
	if err != nil {
		return err
	}
	if res.Created {
		fmt.Fprintf(w, "\nDemo organization %q created with %d people.\n", demo.Slug, res.Users)
		fmt.Fprintf(w, "  Owner: %s   password: %s   (shown only this once)\n", demo.OwnerEmail, res.OwnerPassword)
	} else {
		fmt.Fprintf(w, "\nDemo organization %q is ready (owner %s).\n", demo.Slug, demo.OwnerEmail)
	}
	if a.cfg.Console {
		fmt.Fprintf(w, "\nOpen %s and sign in: organization %s, email %s.\n", baseURL, demo.Slug, demo.OwnerEmail)
	}
	fmt.Fprintf(w, `
Or from another terminal:
  export TOKEN=$(%s token --org %s --email %s)
  curl -s -H "Authorization: Bearer $TOKEN" '%s/users?status=invite_pending&limit=5'
  curl -s -H "Authorization: Bearer $TOKEN" '%s/users/counts'
  curl -s -H "Authorization: Bearer $TOKEN" '%s/users?delivery_status=bounced,blocked,dropped'
API documentation: %s/docs

`, self, demo.Slug, demo.OwnerEmail, baseURL, baseURL, baseURL, baseURL)
	return nil
}

package invited_test

import (
	"context"
	"fmt"
	"log"
	"os"

	invited "github.com/invitedhq/invited/clients/go"
)

// An integration counts who has not accepted an invitation yet, then pages
// through them and resends the invitations whose last email bounced.
// Errors are problem documents whose code a program can switch on.
//
// It runs against the server at INVITED_URL with the access token
// INVITED_TOKEN (`invited token --org demo --email owner@demo.example`
// prints one for the demo organization); `go test` in this module starts
// one of its own, seeded with the demo organization.
func Example() {
	ctx := context.Background()
	api, err := invited.NewClientWithResponses(os.Getenv("INVITED_URL"),
		invited.WithRequestEditorFn(invited.BearerToken(os.Getenv("INVITED_TOKEN"))))
	if err != nil {
		log.Fatal(err)
	}
	counts, err := api.CountUsersWithResponse(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if counts.JSON200 == nil {
		log.Fatalf("count users: %d %s", counts.StatusCode(), counts.Body)
	}
	fmt.Println("invite pending:", counts.JSON200.InvitePending)

	params := &invited.ListUsersParams{
		Status:         &[]invited.ListUsersParamsStatus{invited.ListUsersParamsStatusInvitePending},
		DeliveryStatus: &[]invited.ListUsersParamsDeliveryStatus{invited.ListUsersParamsDeliveryStatusBounced},
	}
	for {
		page, err := api.ListUsersWithResponse(ctx, params)
		if err != nil {
			log.Fatal(err)
		}
		if page.JSON200 == nil {
			log.Fatalf("list users: %d %s", page.StatusCode(), page.Body)
		}
		for _, u := range page.JSON200.Data {
			key := "resend-" + u.Id.String() // one key per intended resend makes retries safe
			r, err := api.ResendInviteWithResponse(ctx, u.Id, &invited.ResendInviteParams{IdempotencyKey: &key})
			switch {
			case err != nil:
				log.Fatal(err)
			case r.JSON202 != nil:
				fmt.Println("resent to", u.Email)
				for _, w := range r.JSON202.Warnings {
					fmt.Println("  warning:", w.Code)
				}
			case r.ApplicationproblemJSON409 != nil && r.ApplicationproblemJSON409.Code == invited.ProblemCodeInviteNotPending:
				// Accepted in the meantime: nothing to do.
			default:
				log.Fatalf("resend to %s: %d %s", u.Email, r.StatusCode(), r.Body)
			}
		}
		if !page.JSON200.HasMore {
			break
		}
		params.Cursor = page.JSON200.NextCursor
	}
	// Output:
	// invite pending: 14
	// resent to edsger.dijkstra@gmial.com
	//   warning: previous_delivery_bounced
	//   warning: email_suggestion
	// resent to katherine.johnson@exmaple.com
	//   warning: previous_delivery_bounced
	// resent to dennis.ritchie@hotmial.com
	//   warning: previous_delivery_bounced
	//   warning: email_suggestion
}

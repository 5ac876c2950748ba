package client_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/invitedhq/invited/client"
)

// An integration pages through everyone who has not accepted their
// invitation yet and resends the invitations that bounced. Errors are
// problem documents whose code a program can switch on.
func Example() {
	ctx := context.Background()
	api, err := client.NewClientWithResponses("https://invited.example.com",
		client.WithRequestEditorFn(client.BearerToken(os.Getenv("INVITED_TOKEN"))))
	if err != nil {
		log.Fatal(err)
	}
	params := &client.ListUsersParams{
		Status:         &[]client.ListUsersParamsStatus{client.ListUsersParamsStatusInvitePending},
		DeliveryStatus: &[]client.ListUsersParamsDeliveryStatus{client.ListUsersParamsDeliveryStatusBounced},
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
			r, err := api.ResendInviteWithResponse(ctx, u.Id, &client.ResendInviteParams{IdempotencyKey: &key})
			switch {
			case err != nil:
				log.Fatal(err)
			case r.JSON202 != nil:
				fmt.Println("resent to", u.Email, "warnings:", len(r.JSON202.Warnings))
			case r.ApplicationproblemJSON409 != nil && r.ApplicationproblemJSON409.Code == client.ProblemCodeInviteNotPending:
				// Accepted in the meantime: nothing to do.
			default:
				log.Fatalf("resend to %s: %d %s", u.Email, r.StatusCode(), r.Body)
			}
		}
		if !page.JSON200.HasMore {
			return
		}
		params.Cursor = page.JSON200.NextCursor
	}
}

package api

// The general information of the published contract. `make docs` turns these
// annotations and the ones on each handler into openapi.yaml; the tags are
// listed in the order of the admin screens.
//
//	@title			invited
//	@version		1.0
//	@description	Moves a learning platform's people from invited to active: administrators list who has not accepted an invitation, resend invitations (each resend kills every earlier link), set a password by hand when email does not get through, and see why an invitation did not arrive.
//	@description
//	@description	**Conventions.** JSON in and out, UTF-8. Ids are UUIDs and times are RFC 3339 in UTC. Management routes need `Authorization: Bearer <token>`; get a token from `POST /auth/token`, or from `invited token` on the server for scripts. Lists answer `{data, next_cursor, has_more}`: pass `next_cursor` back as `cursor`, with the same filters, until `has_more` is false.
//	@description
//	@description	**Errors** are RFC 9457 problem details (`application/problem+json`) whose `code` is a stable identifier to switch on; `type` links to its documentation under `/problems/{code}`. Every response carries `X-Request-ID` (the caller's own when it sends a sane one); quote it when reporting a problem. A 429 says when to retry in `Retry-After`; the rate-limited public routes also send the client's quota in every answer, in the `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers.
//	@description
//	@description				**Retries.** Creating a user and resending an invitation accept an `Idempotency-Key` header: a retry with the same key and request replays the first answer (marked `Idempotent-Replayed: true`) instead of acting twice.
//	@contact.name				invited maintainers
//	@contact.url				https://github.com/invitedhq/invited
//	@BasePath					/
//
//	@tag.name					People
//	@tag.description			People → Individuals: find who is invite-pending, add people, correct their details, set a password when email does not get through, deactivate and reactivate.
//	@tag.name					Invitations
//	@tag.description			Resend an invitation (every earlier link stops working at once) and see each invitation's history and what became of its email.
//	@tag.name					Activation
//	@tag.description			The public activation page behind an invitation link: check the link, set a password, or ask for a fresh link when it expired. Rate limited per client IP.
//	@tag.name					Authentication
//	@tag.description			Exchange an organization, email and password for an access token. Rate limited per client IP.
//	@tag.name					Delivery
//	@tag.description			Which recipient domains receive the invitations, and what to do about those that do not.
//	@tag.name					Insights
//	@tag.description			How invitations turn into active people: the funnel per week, inviter, domain or bulk job.
//	@tag.name					Bulk
//	@tag.description			Resend to many invite-pending people at once, or import people from a CSV file, as background jobs with a progress count and a per-person result table.
//	@tag.name					Account
//	@tag.description			The signed-in user: who am I, and changing a temporary password.
//	@tag.name					Organization
//	@tag.description			The organization's settings: the default lifetime of invitation links, the default language of people and their emails, and the time zone of dates in emails.
//	@tag.name					Audit
//	@tag.description			Who did what to whom, from which request.
//	@tag.name					Webhooks
//	@tag.description			Callbacks from the email provider, authenticated by their signature.
//	@tag.name					Webhook endpoints
//	@tag.description			Where the organization receives its events as signed webhooks (Standard Webhooks), what was delivered, and replays. Owners and admins. See docs/webhooks.md for every event and how to verify a signature.
//	@tag.name					Operations
//	@tag.description			Health, readiness, metrics, this contract and the catalogue of problem codes.
//
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				An access token from POST /auth/token, POST /invites/accept or the `invited token` command: a JWT validated as RFC8725 (JSON Web Token Best Current Practices) asks, with the one configured algorithm only (never none), and exp, iss and aud always checked.

package apperr

import "net/http"

// The codes of the API. Adding one means adding it to Catalog too; the
// catalogue drives the HTTP status, the problem title and the published
// documentation of every code.
const (
	InvalidRequest        Code = "invalid_request"
	WeakPassword          Code = "weak_password"
	Unauthorized          Code = "unauthorized"
	InvalidCredentials    Code = "invalid_credentials" //nolint:gosec // an error code, not a credential
	InvalidSignature      Code = "invalid_signature"
	InvalidRefreshToken   Code = "invalid_refresh_token" //nolint:gosec // an error code, not a credential
	RefreshTokenReused    Code = "refresh_token_reused"  //nolint:gosec // an error code, not a credential
	Forbidden             Code = "forbidden"
	InsufficientRank      Code = "insufficient_rank"
	UserDeactivated       Code = "user_deactivated"
	NotFound              Code = "not_found"
	InviteNotFound        Code = "invite_not_found"
	MethodNotAllowed      Code = "method_not_allowed"
	InviteNotPending      Code = "invite_not_pending"
	InviteNotLive         Code = "invite_not_live"
	EmailTaken            Code = "email_taken"
	EmailChangeNotAllowed Code = "email_change_not_allowed"
	UserNotDeactivated    Code = "user_not_deactivated"
	InviteStillValid      Code = "invite_still_valid"
	IdempotencyKeyReused  Code = "idempotency_key_reused"
	JobFinished           Code = "job_finished"
	// WebhookEndpointLimit: the organization has as many endpoints as allowed.
	WebhookEndpointLimit Code = "webhook_endpoint_limit_reached"
	// WebhookEndpointDisabled: a disabled endpoint cannot be tested or replayed to.
	WebhookEndpointDisabled Code = "webhook_endpoint_disabled"
	InviteExpired           Code = "invite_expired"
	InviteRevoked           Code = "invite_revoked"
	InviteAccepted          Code = "invite_accepted"
	PayloadTooLarge         Code = "payload_too_large"
	UnsupportedMediaType    Code = "unsupported_media_type"
	RateLimited             Code = "rate_limited"
	CodeInternal            Code = "internal"
	NotImplemented          Code = "not_implemented"
	Unavailable             Code = "unavailable"
)

// Entry documents one code.
type Entry struct {
	Code   Code
	Status int
	Title  string
	// Meaning tells a client developer when the code happens and what to do.
	Meaning string
}

// Catalog lists every code, in the order the documentation shows them.
var Catalog = []Entry{
	{InvalidRequest, http.StatusBadRequest, "Invalid request",
		"The request is malformed or fails validation: bad JSON, a body that is not the JSON object the route takes, an unknown or repeated field, text that is not valid UTF-8 or holds a NUL character (in a body, a query parameter or a cursor), a missing or invalid value, an unknown filter value. `errors` lists each problem with its field; fix the request and send it again."},
	{WeakPassword, http.StatusBadRequest, "Password too weak",
		"The password breaks the password policy. `errors` lists every rule it fails: `too_short`, `too_long`, `contains_email`, `contains_name`, `too_guessable`."},
	{Unauthorized, http.StatusUnauthorized, "Authentication required",
		"The bearer token is missing, malformed, expired, or names a user who no longer exists or is not active. Sign in again."},
	{InvalidCredentials, http.StatusUnauthorized, "Invalid credentials",
		"The organization, email and password do not match an active account. The same answer is given for an unknown email, a wrong password and an account without a password, so it reveals nothing about which accounts exist."},
	{InvalidRefreshToken, http.StatusUnauthorized, "Invalid refresh token",
		"The refresh token is missing, malformed, unknown, expired, revoked (signed out, password changed, account deactivated), or belongs to an account that is no longer active. Sign in again."},
	{RefreshTokenReused, http.StatusUnauthorized, "Refresh token reused",
		"The refresh token was already exchanged once. Refresh tokens work once, so a second use means a copy is in someone else's hands: every token of the session was revoked and the event was audited (`auth.refresh_reuse_detected`). Sign in again."},
	{InvalidSignature, http.StatusUnauthorized, "Invalid webhook signature",
		"A provider webhook's signature is missing, does not verify, or is too old. Nothing was changed."},
	{Forbidden, http.StatusForbidden, "Forbidden",
		"The caller is signed in but their role may not do this (learners never manage people; curators need the `people` permission)."},
	{InsufficientRank, http.StatusForbidden, "Insufficient rank",
		"The target user outranks the caller, or the request would grant a role above the caller's own. Owner > admin > hr > curator > learner."},
	{UserDeactivated, http.StatusConflict, "User deactivated",
		"The user is deactivated, so the action is not possible. Reactivate them first."},
	{NotFound, http.StatusNotFound, "Not found",
		"Nothing with this id exists in the caller's organization. An id from another organization answers exactly the same."},
	{InviteNotFound, http.StatusNotFound, "Invitation not found",
		"The activation token is unknown, malformed or forged."},
	{MethodNotAllowed, http.StatusMethodNotAllowed, "Method not allowed",
		"The path exists but not with this HTTP method; the `Allow` header lists the methods it has."},
	{InviteNotPending, http.StatusConflict, "User is not invite-pending",
		"Invitations can only be (re)sent to users whose status is `invite_pending`. `user_status` names the user's current status."},
	{InviteNotLive, http.StatusConflict, "No live invitation",
		"There is no live invitation link to revoke. `invite_state` names the state of the user's latest invitation: `expired`, `revoked`, `accepted`, or `none` when they were never invited."},
	{EmailTaken, http.StatusConflict, "Email already in use",
		"Another user of the organization has this email address (compared case-insensitively)."},
	{EmailChangeNotAllowed, http.StatusConflict, "Email cannot be changed",
		"Only the email of an `invite_pending` user can be changed here. `user_status` names the user's current status."},
	{UserNotDeactivated, http.StatusConflict, "User is not deactivated",
		"Only a deactivated user can be reactivated."},
	{InviteStillValid, http.StatusConflict, "Invitation still valid",
		"Only an expired invitation can be renewed; this link still works, so use it."},
	{IdempotencyKeyReused, http.StatusConflict, "Idempotency key reused",
		"The `Idempotency-Key` was already used with a different request. Use a new key for a new request."},
	{JobFinished, http.StatusConflict, "Job already finished",
		"The bulk job has already finished, so it cannot be cancelled. `job_state` names its final state."},
	{WebhookEndpointLimit, http.StatusConflict, "Webhook endpoint limit reached",
		"The organization already has the most webhook endpoints it may have (20). Delete one, or subscribe an existing one to more events."},
	{WebhookEndpointDisabled, http.StatusConflict, "Webhook endpoint disabled",
		"The webhook endpoint is disabled, so nothing is sent to it: not a test, not a replay. `disabled_reason` on the endpoint says why; enable it with `PATCH /webhook-endpoints/{id}` `{\"enabled\": true}`."},
	{InviteExpired, http.StatusGone, "Invitation expired",
		"The activation link has expired. When `renewable` is true the user is still invited and `POST /invites/renew` sends a fresh link to the address on file."},
	{InviteRevoked, http.StatusGone, "Invitation revoked",
		"The activation link was replaced by a newer invitation, revoked by a people manager, or made void when a password was set, the email changed or the user was deactivated. `reason` says which: `superseded`, `revoked`, `password_set`, `email_changed`, `deactivated`; when the account itself stopped being invite-pending, `user_status` names its status instead."},
	{InviteAccepted, http.StatusGone, "Invitation already used",
		"The activation link was already used to activate the account. Sign in instead."},
	{PayloadTooLarge, http.StatusRequestEntityTooLarge, "Request body too large",
		"The request body is larger than the route accepts (1 MiB, 10 MiB for imports)."},
	{UnsupportedMediaType, http.StatusUnsupportedMediaType, "Unsupported media type",
		"The request body's Content-Type is not one the route accepts (JSON everywhere; CSV too for imports)."},
	{RateLimited, http.StatusTooManyRequests, "Too many requests",
		"Too many requests from this client or for this account. Wait the number of seconds in `Retry-After`."},
	{CodeInternal, http.StatusInternalServerError, "Internal error",
		"The server failed unexpectedly. Nothing was changed; retrying is safe, and with an `Idempotency-Key` it never acts twice. Quote `request_id` when reporting it."},
	{NotImplemented, http.StatusNotImplemented, "Not available in this deployment",
		"This deployment does not offer the feature, for example minting tokens when it only verifies tokens of another identity provider."},
	{Unavailable, http.StatusServiceUnavailable, "Service unavailable",
		"The service cannot serve right now (database unreachable or schema not current). Retry later."},
}

var byCode = func() map[Code]Entry {
	m := make(map[Code]Entry, len(Catalog))
	for _, e := range Catalog {
		m[e.Code] = e
	}
	return m
}()

// Lookup returns the catalogue entry of code; unknown codes are internal errors.
func Lookup(code Code) Entry {
	if e, ok := byCode[code]; ok {
		return e
	}
	return byCode[CodeInternal]
}

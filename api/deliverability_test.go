package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/maildomain/dnstest"
)

// A new address whose domain cannot receive mail is accepted with a
// warning, and invited all the same: the check advises, it never refuses.
// MX records, or failing them A/AAAA records (RFC 5321 §5.1), are a mail
// server; a resolver that fails says nothing.
func TestCreateWarnsWhenTheDomainHasNoMailServer(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.DNS.Set("mx.example", dnstest.HasMX)
		e.DNS.Set("address-only.example", dnstest.AddressOnly)
		e.DNS.Set("nothing.example", dnstest.NoRecords)
		e.DNS.Set("gone.example", dnstest.NXDomain)
		e.DNS.Set("null-mx.example", dnstest.NullMX)
		e.DNS.Set("broken.example", dnstest.ServFail)
		org := e.Org()
		for email, want := range map[string][]string{
			"a@mx.example":           {},
			"b@address-only.example": {},
			"c@nothing.example":      {"domain_has_no_mail_server"},
			"d@gone.example":         {"domain_has_no_mail_server"},
			"e@null-mx.example":      {"domain_has_no_mail_server"},
			"f@broken.example":       {},
		} {
			var u api.User
			createUser(e, org.OwnerToken, map[string]any{"email": email}).Expect(http.StatusCreated).JSON(&u)
			require.Equal(t, want, u.EmailWarnings, email)
			require.NotNil(t, u.Invite, "%s is invited all the same", email)
			require.Equal(t, want, getUser(e, org.OwnerToken, u.ID).EmailWarnings, "%s: stored", email)
		}
		require.Len(t, listUsers(e, org.OwnerToken, "").Data, 7, "the owner and every address")
	})
}

// Changing the address checks the new one; the old warning goes with the old address.
func TestEmailChangeChecksTheNewDomain(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.DNS.Set("nothing.example", dnstest.NoRecords)
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Email: "ada@example.com"})
		var v api.User
		e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"email": "ada@nothing.example"}).Expect(http.StatusOK).JSON(&v)
		require.Equal(t, []string{"domain_has_no_mail_server"}, v.EmailWarnings)
		v = api.User{}
		e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"first_name": "Ada"}).Expect(http.StatusOK).JSON(&v)
		require.Equal(t, []string{"domain_has_no_mail_server"}, v.EmailWarnings, "other edits keep it")
		v = api.User{}
		e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"email": "ada@example.org"}).Expect(http.StatusOK).JSON(&v)
		require.Equal(t, []string{}, v.EmailWarnings)
	})
}

// An import asks once per distinct domain, and its rows carry the warnings.
func TestImportChecksEachDomainOnce(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.DNS.Set("nothing.example", dnstest.NoRecords)
		org := e.Org()
		before := e.DNS.Queries()
		job := accepted(t, postCSV(e, org.OwnerToken, "", csvBody("email,first_name,last_name,role",
			"a1@nothing.example,A,One,learner", "a2@nothing.example,A,Two,learner", "a3@nothing.example,A,Three,learner",
			"b1@fine.example,B,One,learner", "b2@fine.example,B,Two,learner")))
		e.StartWorkers()
		waitJob(t, e, org.OwnerToken, job.ID, 20*time.Second)
		require.Equal(t, 4, e.DNS.Queries()-before, "MX of both domains, A and AAAA of the one without")
		for _, u := range listUsers(e, org.OwnerToken, "q=nothing.example").Data {
			require.Equal(t, []string{"domain_has_no_mail_server"}, u.EmailWarnings, u.Email)
		}
		for _, u := range listUsers(e, org.OwnerToken, "q=fine.example").Data {
			require.Equal(t, []string{}, u.EmailWarnings, u.Email)
		}
	})
}

// A resolver that never answers delays a creation by the timeout at most,
// and its silence is no warning.
func TestSilentResolverDelaysCreationByTheTimeoutAtMost(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.DNS.Set("slow.example", dnstest.Silent)
		org := e.Org()
		start := time.Now()
		var u api.User
		createUser(e, org.OwnerToken, map[string]any{"email": "ada@slow.example"}).Expect(http.StatusCreated).JSON(&u)
		require.Less(t, time.Since(start), 5*time.Second, "the 300 ms timeout, not the client's own")
		require.Equal(t, []string{}, u.EmailWarnings)
		require.NotNil(t, u.Invite)
	}, apitest.Options{DNSTimeout: 300 * time.Millisecond})
}

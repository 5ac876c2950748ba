package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
)

// A 500's log line names the operation that failed, not only the driver's
// message: here the store's insert of the audit event.
func TestServerErrorLogNamesTheOperation(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		restore := e.FailInserts("audit_events", "NEW.action = 'user.created'")
		defer restore()
		p := e.Post("/users", org.OwnerToken, map[string]any{"email": "logged@example.com"}).
			ExpectProblem(http.StatusInternalServerError, "internal")
		var line string
		for l := range strings.SplitSeq(e.Logs.String(), "\n") {
			if strings.Contains(l, `"request failed"`) && strings.Contains(l, p.RequestID) {
				line = l
			}
		}
		require.Contains(t, line, "store.AddAuditEvent: ", "the log line names the failed operation")
	})
}

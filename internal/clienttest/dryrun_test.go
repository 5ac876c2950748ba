package clienttest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/require"

	invited "github.com/invitedhq/invited/clients/go"
	"github.com/invitedhq/invited/internal/apitest"
)

// strictly decodes body into v, refusing fields v does not have.
func strictly(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// A bulk resend and an import answer a dry run with a report (200) and a
// real run with a job (202). The contract gives each its own shape with a
// dry_run of its own constant value, so a generated client tells them
// apart: by status into two typed fields, and by shape, since neither
// answer decodes as the other.
func TestGeneratedClientTellsADryRunReportFromAJob(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ada := e.User(org, apitest.UserOpts{Email: "ada@example.com"})
		srv := httptest.NewServer(e.Handler)
		t.Cleanup(srv.Close)
		api, err := invited.NewClientWithResponses(srv.URL, invited.WithRequestEditorFn(invited.BearerToken(org.OwnerToken)))
		require.NoError(t, err)
		ctx := t.Context()
		ids := &[]openapi_types.UUID{ada.ID}

		report, err := api.ResendInvitesWithResponse(ctx, nil, invited.BulkResendRequest{UserIds: ids, DryRun: new(true)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, report.StatusCode(), "%s", report.Body)
		require.Nil(t, report.JSON202)
		require.Equal(t, invited.BulkResendPreviewDryRunTrue, report.JSON200.DryRun)
		require.EqualValues(t, 1, report.JSON200.Matched)
		require.Error(t, strictly(report.Body, &invited.JobAccepted{}), "a report is not a job")

		job, err := api.ResendInvitesWithResponse(ctx, nil, invited.BulkResendRequest{UserIds: ids})
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, job.StatusCode(), "%s", job.Body)
		require.Nil(t, job.JSON200)
		require.Equal(t, invited.JobAcceptedDryRunFalse, job.JSON202.DryRun)
		require.Equal(t, invited.JobKindBulkResend, job.JSON202.Job.Kind)
		require.Error(t, strictly(job.Body, &invited.BulkResendPreview{}), "a job is not a report")

		csv := "email,first_name\ngrace@example.com,Grace\n"
		preview, err := api.ImportUsersWithBodyWithResponse(ctx, &invited.ImportUsersParams{DryRun: new(true)}, "text/csv", strings.NewReader(csv))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, preview.StatusCode(), "%s", preview.Body)
		require.Nil(t, preview.JSON202)
		require.Equal(t, invited.ImportReportDryRunTrue, preview.JSON200.DryRun)
		require.EqualValues(t, 1, preview.JSON200.Create)
		require.Error(t, strictly(preview.Body, &invited.JobAccepted{}))

		started, err := api.ImportUsersWithBodyWithResponse(ctx, nil, "text/csv", strings.NewReader(csv))
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, started.StatusCode(), "%s", started.Body)
		require.Nil(t, started.JSON200)
		require.Equal(t, invited.JobAcceptedDryRunFalse, started.JSON202.DryRun)
		require.Equal(t, invited.JobKindImport, started.JSON202.Job.Kind)
		require.Error(t, strictly(started.Body, &invited.ImportReport{}))
	})
}

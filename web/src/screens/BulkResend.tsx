import type { Schemas } from "@invited/client";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { jobRunning, previewBulkResend, startBulkResend, useCancelJob, useJob, type BulkSelection } from "../api/hooks";
import { Dialog, DialogActions } from "../kit/Dialog";
import { formatCount, plural } from "../kit/format";
import { Notice, ProblemNotice } from "../kit/Notice";
import { TableHead } from "../kit/Table";

export type BulkTarget = BulkSelection;

const SKIP_REASON: Record<string, string> = {
  invite_not_pending: "they are no longer invite-pending",
  insufficient_rank: "they outrank you",
  not_found: "they no longer exist",
  recently_invited: "they were re-invited after the job started",
  cancelled: "the job was cancelled",
  already_exists: "the email already belongs to someone",
  user_deactivated: "the person is deactivated",
  invalid_row: "the row is invalid",
  creator_not_allowed: "you may no longer do this",
};

function skipReason(code: string): string {
  return SKIP_REASON[code] ?? code.replaceAll("_", " ");
}

/** Bulk resend: a dry run first, then the job with its progress and results. */
export function BulkResendDialog(props: { target: BulkTarget; onClose: () => void }) {
  const [preview, setPreview] = useState<Schemas["BulkResendPreview"] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [jobId, setJobId] = useState<string>();
  const [starting, setStarting] = useState(false);
  const qc = useQueryClient();
  const { target } = props;

  useEffect(() => {
    let live = true;
    previewBulkResend(target).then(
      (p) => live && setPreview(p),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [target]);

  const start = async () => {
    setStarting(true);
    try {
      const { job } = await startBulkResend(target);
      setJobId(job.id);
    } catch (e) {
      setError(e);
    } finally {
      setStarting(false);
    }
  };
  const close = () => {
    void qc.invalidateQueries({ queryKey: ["users"] });
    props.onClose();
  };

  if (jobId) {
    return (
      <Dialog title="Resending invitations" onClose={close} wide>
        <JobProgress id={jobId} noun={["invitation", "invitations"]} />
      </Dialog>
    );
  }
  const skipped = preview ? Object.entries(preview.skipped).filter(([, n]) => n > 0) : [];
  return (
    <Dialog
      title="Resend invitations"
      onClose={close}
      footer={
        <DialogActions
          onCancel={close}
          action={{
            label: preview ? `Re-invite ${plural(preview.matched, "person", "people")}` : "Re-invite",
            busy: starting,
            disabled: !preview || preview.matched === 0,
            onClick: () => void start(),
          }}
        />
      }
    >
      <ProblemNotice error={error} />
      {!preview && !error && <p role="status">Counting who would be re-invited…</p>}
      {preview && (
        <div className="stack" role="status">
          <p className="lead">
            This will re-invite <strong>{plural(preview.matched, "person", "people")}</strong>. Each gets a new link and every
            earlier link of theirs stops working.
          </p>
          {skipped.length > 0 && (
            <ul className="plain">
              {skipped.map(([code, n]) => (
                <li key={code}>
                  {formatCount(n)} skipped because {skipReason(code)}.
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Dialog>
  );
}

const STATE_LABEL: Record<Schemas["Job"]["state"], string> = {
  queued: "Waiting to start",
  running: "Working",
  succeeded: "Done",
  partially_failed: "Done, with failures",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** A job's progress bar, its cancel button, and at the end the rows that did not succeed. */
export function JobProgress(props: { id: string; noun: [string, string] }) {
  const job = useJob(props.id);
  const cancel = useCancelJob();
  const j = job.data;
  if (!j) return job.error ? <ProblemNotice error={job.error} /> : <p role="status">Starting…</p>;
  const running = jobRunning(j);
  const issues = (j.items?.data ?? []).filter((i) => i.outcome === "failed" || i.outcome === "skipped");
  return (
    <div className="stack">
      <div className="progress-line">
        <label htmlFor={`job-${j.id}`}>
          {STATE_LABEL[j.state]}: {formatCount(j.processed)} of {formatCount(j.total)}
        </label>
        <progress id={`job-${j.id}`} max={Math.max(j.total, 1)} value={j.processed} />
      </div>
      <p aria-live="polite" className="job-counts">
        {formatCount(j.succeeded)} succeeded · {formatCount(j.skipped)} skipped · {formatCount(j.failed)} failed
      </p>
      {running && (
        <div>
          <button type="button" className="button" onClick={() => cancel.mutate(j.id)} disabled={j.cancel_requested || cancel.isPending}>
            {j.cancel_requested ? "Cancelling…" : "Cancel"}
          </button>
        </div>
      )}
      <ProblemNotice error={cancel.error} />
      {!running && (
        <Notice kind={j.failed ? "warning" : "success"}>
          {j.state === "cancelled"
            ? `Cancelled after ${plural(j.succeeded, props.noun[0], props.noun[1])}.`
            : `Finished: ${plural(j.succeeded, props.noun[0], props.noun[1])}.`}
        </Notice>
      )}
      {!running && issues.length > 0 && (
        <table className="table table-compact">
          <caption>Not done</caption>
          <TableHead columns={[{ label: j.kind === "import" ? "Row" : "Person" }, { label: "Outcome" }, { label: "Why" }]} />
          <tbody>
            {issues.map((i) => (
              <tr key={i.position}>
                <td>{j.kind === "import" ? `Row ${i.row ?? i.position}${i.email ? ` (${i.email})` : ""}` : (i.email ?? i.user_id)}</td>
                <td>{i.outcome === "failed" ? "Failed" : "Skipped"}</td>
                <td>{i.message ?? (i.code ? skipReason(i.code) : "")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

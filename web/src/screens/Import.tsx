import type { Schemas } from "@invited/client";
import { useQueryClient } from "@tanstack/react-query";
import { useId, useState, type ChangeEvent } from "react";

import { importCSV } from "../api/hooks";
import { formatCount, plural } from "../kit/format";
import { Notice, ProblemNotice } from "../kit/Notice";
import { TableHead, type Column } from "../kit/Table";
import { JobProgress } from "./BulkResend";

type Report = Schemas["ImportReport"];

const PROBLEM_COLUMNS: Column[] = ["Row", "Email", "Outcome", "Problem"].map((label) => ({ label }));

/**
 * The batch importer: upload a CSV file, read the dry run's report per
 * row, choose whether to send invitations, confirm, and follow the job.
 */
export function Import() {
  const fileId = useId();
  const qc = useQueryClient();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [sendInvites, setSendInvites] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string>();

  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    setReport(null);
    setError(null);
    setJobId(undefined);
    if (!f) return setFile(null);
    const text = await f.text();
    setFile({ name: f.name, text });
    setBusy(true);
    try {
      setReport((await importCSV(text, { dryRun: true, sendInvites: false })) as Report);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const start = async () => {
    if (!file) return;
    setBusy(true);
    try {
      const res = (await importCSV(file.text, { dryRun: false, sendInvites })) as Schemas["JobAccepted"];
      setJobId(res.job.id);
      void qc.invalidateQueries({ queryKey: ["users"] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">People</p>
          <h1>Import people</h1>
        </div>
      </header>
      <section className="card stack" aria-labelledby="import-file-heading">
        <h2 id="import-file-heading">1. Choose a CSV file</h2>
        <p>
          A header row names the columns <code>email</code>, <code>first_name</code>, <code>last_name</code> and{" "}
          <code>role</code>, in any order. Nothing changes until you confirm below.
        </p>
        <div className="field">
          <label htmlFor={fileId}>CSV file</label>
          <input id={fileId} type="file" accept=".csv,text/csv" onChange={(e) => void choose(e)} disabled={busy && !report} />
        </div>
        {busy && !report && <p role="status">Checking {file?.name}…</p>}
        <ProblemNotice error={error} />
      </section>

      {report && !jobId && (
        <section className="card stack" aria-labelledby="import-report-heading">
          <h2 id="import-report-heading">2. Check the report</h2>
          <p className="lead" role="status">
            {file?.name}: {plural(report.rows, "row", "rows")}. {formatCount(report.create)} to create, {formatCount(report.skip)} to
            skip, {formatCount(report.fail)} with errors.
          </p>
          {report.problems.length > 0 && (
            <table className="table table-compact">
              <caption>Rows that will not be created</caption>
              <TableHead columns={PROBLEM_COLUMNS} />
              <tbody>
                {report.problems.map((p, i) => (
                  <tr key={`${p.row}-${p.field ?? ""}-${i}`}>
                    <td>{p.row}</td>
                    <td>{p.email ?? "—"}</td>
                    <td>
                      <span className={`badge ${p.outcome === "failed" ? "badge-bad" : "badge-neutral"}`}>
                        {p.outcome === "failed" ? "Error" : "Skipped"}
                      </span>
                    </td>
                    <td>{p.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <label className="checkbox">
            <input type="checkbox" checked={sendInvites} onChange={(e) => setSendInvites(e.target.checked)} /> Send invitations to the
            people created
          </label>
          <div>
            <button type="button" className="button button-primary" disabled={busy || report.create === 0} onClick={() => void start()}>
              Import {plural(report.create, "person", "people")}
            </button>
          </div>
        </section>
      )}

      {jobId && (
        <section className="card stack" aria-labelledby="import-job-heading">
          <h2 id="import-job-heading">3. Importing</h2>
          <JobProgress id={jobId} noun={["person created", "people created"]} />
          <Notice kind="info">You can leave this page: the import goes on in the background.</Notice>
        </section>
      )}
    </div>
  );
}

import { Link } from "react-router";

import { useDeliveryDomains, type DomainHealth } from "../api/hooks";
import { formatCount, formatDateTime } from "../kit/format";
import { Notice, ProblemNotice } from "../kit/Notice";
import { NumCell, TableHead, type Column } from "../kit/Table";
import { filterToURL } from "./filters";

type Verdict = DomainHealth["verdict"];

const VERDICT: Record<Verdict, { label: string; tone: string; headline: (d: string) => string }> = {
  blocking: { label: "Blocking", tone: "bad", headline: (d) => `${d} is blocking the invitations` },
  invalid: { label: "No mail server", tone: "bad", headline: (d) => `${d} has no mail server` },
  degraded: { label: "Degraded", tone: "warn", headline: (d) => `Invitations to ${d} often do not arrive` },
  healthy: { label: "Healthy", tone: "good", headline: (d) => `${d} receives the invitations` },
};

/** The report's columns: one row per recipient domain. */
const DOMAIN_COLUMNS: Column[] = [
  { label: "Domain" },
  { label: "Verdict" },
  ...["Invitations", "Delivered", "Deferred", "Bounced", "Blocked", "Dropped", "Spam reports"].map((label) => ({ label, num: true })),
  { label: "Most common reason" },
  { label: "Last event" },
];

/** The people of a domain who are still waiting for their invitation. */
function pendingOf(domain: string): string {
  return `/people?${filterToURL({ status: ["invite_pending"], q: `@${domain}`, role: [], delivery: [], sort: "-created_at" })}`;
}

/**
 * The banner of People → Individuals: every recipient domain that blocks,
 * has no mail server or loses many invitations, with what to do about it.
 */
export function DomainHealthBanner(props: { domains: DomainHealth[] | undefined }) {
  const bad = (props.domains ?? []).filter((d) => d.verdict !== "healthy");
  if (bad.length === 0) return null;
  return (
    <Notice kind="warning" title="Invitations are not getting through to some domains">
      <ul className="plain stack">
        {bad.slice(0, 3).map((d) => (
          <li key={d.domain}>
            <strong>{VERDICT[d.verdict].headline(d.domain)}.</strong> {d.advice}{" "}
            <Link to={pendingOf(d.domain)}>Show the invite-pending people of {d.domain}</Link>
          </li>
        ))}
      </ul>
      <p>
        {bad.length > 3 ? `And ${formatCount(bad.length - 3)} more. ` : ""}
        <Link to="/domains">See the delivery report of every domain</Link>
      </p>
    </Notice>
  );
}

/** Delivery → Domains: what became of the invitations, per recipient domain, the worst first. */
export function Domains() {
  const report = useDeliveryDomains();
  const rows = report.data?.data ?? [];
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">Delivery</p>
          <h1>Domains</h1>
        </div>
      </header>
      <p className="lead">
        What became of the invitations mailed to each domain since {report.data ? formatDateTime(report.data.since) : "30 days ago"}, judged on the
        people they went to: one mistyped mailbox does not condemn its domain.
      </p>
      <ProblemNotice error={report.error} />
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="visually-hidden">Recipient domains, the worst first</caption>
          <TableHead columns={DOMAIN_COLUMNS} />
          <tbody>
            {rows.map((d) => (
              <tr key={d.domain}>
                <th scope="row">
                  <Link to={pendingOf(d.domain)} aria-label={`${d.domain}: its invite-pending people`}>
                    {d.domain}
                  </Link>
                </th>
                <td className="col-advice">
                  <span className="delivery">
                    <span className={`badge badge-${VERDICT[d.verdict].tone}`}>{VERDICT[d.verdict].label}</span>
                    {d.verdict !== "healthy" && <span className="small">{d.advice}</span>}
                  </span>
                </td>
                <NumCell>{formatCount(d.invitations)}</NumCell>
                <NumCell>{formatCount(d.delivered)}</NumCell>
                <NumCell>{formatCount(d.deferred)}</NumCell>
                <NumCell>{formatCount(d.bounced)}</NumCell>
                <NumCell>{formatCount(d.blocked)}</NumCell>
                <NumCell>{formatCount(d.dropped)}</NumCell>
                <NumCell>{formatCount(d.spam_reports)}</NumCell>
                <td className="small col-reason">{d.top_reason ?? "—"}</td>
                <td>{formatDateTime(d.last_event_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {report.isPending && <p className="table-empty">Loading the report…</p>}
        {!report.isPending && !report.error && rows.length === 0 && <p className="table-empty">No invitation was mailed in the period.</p>}
      </div>
      {report.data?.has_more && <p className="muted small">The 1,000 worst and busiest domains are listed.</p>}
    </div>
  );
}

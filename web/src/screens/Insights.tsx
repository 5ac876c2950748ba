import type { Schemas } from "@invited/client";
import { useMemo } from "react";
import { useSearchParams } from "react-router";

import { useInvitationFunnel, type FunnelGrouping } from "../api/hooks";
import { Select } from "../kit/Field";
import { formatCount, formatDate } from "../kit/format";
import { ProblemNotice } from "../kit/Notice";
import { NumCell, TableHead, type Column } from "../kit/Table";

type Figures = Schemas["FunnelFigures"];
type Group = Schemas["FunnelGroup"];

const PERIODS = [4, 12, 26, 52] as const;
const GROUPINGS: { value: FunnelGrouping | ""; label: string }[] = [
  { value: "", label: "Nothing (totals only)" },
  { value: "week", label: "Week of the first invitation" },
  { value: "inviter", label: "Inviter" },
  { value: "domain", label: "Email domain" },
  { value: "job", label: "Bulk job" },
];
const GROUP_HEADING: Record<FunnelGrouping, string> = { week: "Week", inviter: "Inviter", domain: "Domain", job: "Bulk job" };

/** The columns of the table by group, after the group's own. */
const FUNNEL_COLUMNS: Column[] = [
  { label: "Invited", num: true },
  { label: "Delivered", num: true },
  { label: "Accepted", num: true },
  { label: "Acceptance" },
  { label: "Pending", num: true },
  { label: "Median", num: true },
  { label: "90th percentile", num: true },
];

const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

/** "40 min", "26 h", "3.5 days": how long people took to accept. */
function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} days`;
}

function share(part: number, whole: number): string {
  return whole > 0 ? percent.format(part / whole) : "—";
}

/**
 * Insights → Invitation funnel: of the people first invited in a period, how
 * many an invitation reached and how many accepted, and how fast. The chart
 * is drawn with CSS bars and one small SVG: no charting library is worth
 * its weight in the first load for three bars and a column chart.
 */
export function Insights() {
  const [params, setParams] = useSearchParams();
  const weeksParam = Number(params.get("weeks"));
  const weeks = (PERIODS as readonly number[]).includes(weeksParam) ? weeksParam : 12;
  const groupParam = params.get("group_by") ?? "";
  const groupBy = GROUPINGS.some((g) => g.value === groupParam && g.value) ? (groupParam as FunnelGrouping) : undefined;
  // The period ends at the next whole hour, so the query (and its cache) stays the same for a while.
  const { from, to } = useMemo(() => {
    const end = new Date();
    end.setUTCMinutes(0, 0, 0);
    end.setUTCHours(end.getUTCHours() + 1);
    return { from: new Date(end.getTime() - weeks * 7 * 86_400_000).toISOString(), to: end.toISOString() };
  }, [weeks]);
  const funnel = useInvitationFunnel({ from, to, ...(groupBy ? { groupBy } : {}) });
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v);
    else p.delete(k);
    setParams(p, { replace: true });
  };
  const f = funnel.data;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">Insights</p>
          <h1>Invitation funnel</h1>
        </div>
      </header>
      <div className="toolbar">
        <Select
          label="Period"
          value={String(weeks)}
          onChange={(v) => set("weeks", v === "12" ? "" : v)}
          options={PERIODS.map((w) => ({ value: String(w), label: `The last ${w} weeks` }))}
        />
        <Select label="Split by" value={groupBy ?? ""} onChange={(v) => set("group_by", v)} options={GROUPINGS.map((g) => ({ value: g.value, label: g.label }))} />
      </div>
      <ProblemNotice error={funnel.error} />
      {funnel.isPending && (
        <p className="loading" role="status">
          Loading the funnel…
        </p>
      )}
      {f && (
        <>
          <section className="card" aria-labelledby="funnel-heading">
            <h2 id="funnel-heading">
              People first invited from {formatDate(f.from)} to {formatDate(f.to)}
            </h2>
            <FunnelBars totals={f.totals} />
            <dl className="figures">
              <Figure label="Acceptance rate" value={f.totals.invited ? percent.format(f.totals.acceptance_rate) : "—"} />
              <Figure label="Still pending" value={formatCount(f.totals.pending)} />
              <Figure label="Median time to accept" value={formatDuration(f.totals.median_seconds_to_accept)} />
              <Figure label="90% accepted within" value={formatDuration(f.totals.p90_seconds_to_accept)} />
              <Figure label="Accepted after a reminder" value={formatCount(f.totals.accepted_after_reminder)} />
              <Figure label="Reminders before accepting" value={formatCount(f.totals.reminders_before_acceptance)} />
            </dl>
            <p className="muted small">Weeks begin on Monday in the organization's time zone, {f.time_zone}.</p>
          </section>
          {f.group_by && (
            <section className="card" aria-labelledby="groups-heading">
              <h2 id="groups-heading">By {GROUP_HEADING[f.group_by].toLowerCase()}</h2>
              {f.group_by === "week" && f.groups.length > 0 && <WeekChart groups={f.groups} />}
              <GroupTable grouping={f.group_by} groups={f.groups} />
              {f.has_more && <p className="muted small">The 500 largest groups are listed.</p>}
            </section>
          )}
        </>
      )}
    </div>
  );
}

function Figure(props: { label: string; value: string }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

/** Invited → delivered → accepted as bars, each with its number and its share of the invited. */
function FunnelBars(props: { totals: Figures }) {
  const t = props.totals;
  const steps = [
    { label: "Invited", n: t.invited, tone: "invited" },
    { label: "Reached (delivered)", n: t.delivered, tone: "delivered" },
    { label: "Accepted", n: t.accepted, tone: "accepted" },
  ];
  return (
    <ol className="funnel" aria-label="The funnel">
      {steps.map((s) => (
        <li key={s.label}>
          <span className="funnel-label">{s.label}</span>
          <span className="funnel-track" aria-hidden="true">
            <span className={`funnel-bar funnel-${s.tone}`} style={{ width: `${t.invited ? (100 * s.n) / t.invited : 0}%` }} />
          </span>
          <span className="funnel-value">
            {formatCount(s.n)}
            {s.tone !== "invited" && <span className="muted small"> ({share(s.n, t.invited)})</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}

/**
 * Invited and accepted per week, as columns. The figures are in the table
 * under it; the picture is described for screen readers by its title.
 */
function WeekChart(props: { groups: Group[] }) {
  const g = props.groups;
  const max = Math.max(1, ...g.map((w) => w.invited));
  const col = 36;
  const height = 140;
  const width = g.length * col;
  const best = g.reduce((a, b) => (b.acceptance_rate > a.acceptance_rate ? b : a), g[0] as Group);
  return (
    <figure className="week-chart">
      <svg viewBox={`0 0 ${width} ${height + 18}`} width={width} height={height + 18} role="img" aria-labelledby="week-chart-caption">
        {g.map((w, i) => {
          const hi = (height * w.invited) / max;
          const ha = (height * w.accepted) / max;
          return (
            <g key={w.key ?? i}>
              <rect x={i * col + 4} y={height - hi} width={col - 8} height={hi} className="bar-invited" />
              <rect x={i * col + 4} y={height - ha} width={col - 8} height={ha} className="bar-accepted" />
            </g>
          );
        })}
        <line x1="0" x2={width} y1={height} y2={height} className="axis" />
      </svg>
      <figcaption id="week-chart-caption" className="muted small">
        <span className="legend legend-invited" aria-hidden="true" /> invited, <span className="legend legend-accepted" aria-hidden="true" /> accepted, per week
        from {g[0]?.label} to {g[g.length - 1]?.label}; the best week was {best.label} ({percent.format(best.acceptance_rate)} accepted).
      </figcaption>
    </figure>
  );
}

function GroupTable(props: { grouping: FunnelGrouping; groups: Group[] }) {
  const max = Math.max(1, ...props.groups.map((g) => g.invited));
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="visually-hidden">The funnel by {GROUP_HEADING[props.grouping].toLowerCase()}</caption>
        <TableHead columns={[{ label: GROUP_HEADING[props.grouping] }, ...FUNNEL_COLUMNS]} />
        <tbody>
          {props.groups.map((g, i) => (
            <tr key={g.key ?? `none-${i}`}>
              <th scope="row">{g.label || (props.grouping === "job" ? "Not in a bulk job" : "Nobody")}</th>
              <NumCell>{formatCount(g.invited)}</NumCell>
              <NumCell>{formatCount(g.delivered)}</NumCell>
              <NumCell>{formatCount(g.accepted)}</NumCell>
              <td>
                <span className="rate">
                  <span className="rate-track" aria-hidden="true">
                    <span className="rate-invited" style={{ width: `${(100 * g.invited) / max}%` }}>
                      <span className="rate-accepted" style={{ width: `${g.invited ? (100 * g.accepted) / g.invited : 0}%` }} />
                    </span>
                  </span>
                  {g.invited ? percent.format(g.acceptance_rate) : "—"}
                </span>
              </td>
              <NumCell>{formatCount(g.pending)}</NumCell>
              <NumCell>{formatDuration(g.median_seconds_to_accept)}</NumCell>
              <NumCell>{formatDuration(g.p90_seconds_to_accept)}</NumCell>
            </tr>
          ))}
        </tbody>
      </table>
      {props.groups.length === 0 && <p className="table-empty">Nobody was first invited in the period.</p>}
    </div>
  );
}

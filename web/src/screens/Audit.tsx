import type { Schemas } from "@invited/client";
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";

import { useAudit, useUser } from "../api/hooks";
import { Select } from "../kit/Field";
import { formatDateTime } from "../kit/format";
import { fullName } from "../kit/labels";
import { ProblemNotice } from "../kit/Notice";
import { TableHead, type Column } from "../kit/Table";

type Action = Schemas["AuditEvent"]["action"];

const AUDIT_COLUMNS: Column[] = ["When", "What", "Person", "By", "Details"].map((label) => ({ label }));

const ACTIONS: Record<Action, string> = {
  "user.created": "Person added",
  "user.updated": "Person edited",
  "invite.sent": "Invitation sent",
  "invite.resent": "Invitation resent",
  "invite.renewed": "Expired invitation renewed",
  "invite.accepted": "Invitation accepted",
  "invite.revoked": "Invitation revoked",
  "invite.expired": "Invitation expired",
  "invite.link_issued": "Invitation link handed over",
  "invite.reminded": "Automatic reminder sent",
  "user.password_set": "Password set by an administrator",
  "user.password_changed": "Password changed",
  "user.email_changed": "Email changed",
  "user.role_changed": "Role changed",
  "user.deactivated": "Deactivated",
  "user.reactivated": "Reactivated",
  "organization.created": "Organization created",
  "organization.updated": "Organization settings changed",
  "bulk.resend_started": "Bulk resend started",
  "import.started": "Import started",
  "job.cancelled": "Job cancelled",
  "auth.refresh_reuse_detected": "Session ended: a sign-in token was reused",
  "webhook_endpoint.created": "Webhook endpoint added",
  "webhook_endpoint.updated": "Webhook endpoint changed",
  "webhook_endpoint.deleted": "Webhook endpoint removed",
};

/** The audit log, filtered by person and action; both are kept in the URL. */
export function Audit() {
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => ({ action: params.get("action") ?? "", user: params.get("user") ?? "" }), [params]);
  const audit = useAudit(filter);
  const person = useUser(filter.user || undefined);
  const events = audit.data?.pages.flatMap((p) => p.data) ?? [];
  const set = (k: "action" | "user", v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">People</p>
          <h1>Audit log</h1>
        </div>
      </header>
      <div className="toolbar">
        <Select
          label="Action"
          value={filter.action}
          onChange={(v) => set("action", v)}
          options={[{ value: "", label: "Every action" }, ...Object.entries(ACTIONS).map(([value, label]) => ({ value, label }))]}
        />
        {filter.user && (
          <p className="chip">
            Person: {person.data ? fullName(person.data) || person.data.email : filter.user}
            <button type="button" className="icon-button" aria-label="Show everyone" onClick={() => set("user", "")}>
              ×
            </button>
          </p>
        )}
      </div>
      <ProblemNotice error={audit.error} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Audit events, newest first</caption>
          <TableHead columns={AUDIT_COLUMNS} />
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.created_at)}</td>
                <td>{ACTIONS[e.action] ?? e.action}</td>
                <td>
                  {e.target_user_id ? (
                    <Link to={`/audit?${new URLSearchParams({ ...(filter.action ? { action: filter.action } : {}), user: e.target_user_id })}`}>
                      <PersonName id={e.target_user_id} />
                    </Link>
                  ) : (
                    "—"
                  )}
                </td>
                <td>{e.actor_id ? <PersonName id={e.actor_id} /> : <span className="muted">the system</span>}</td>
                <td className="muted small">{details(e.metadata)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {audit.isPending && <p className="table-empty">Loading…</p>}
        {!audit.isPending && events.length === 0 && <p className="table-empty">No events match.</p>}
      </div>
      {audit.hasNextPage && (
        <div className="load-more">
          <button type="button" className="button" onClick={() => void audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
            Load more
          </button>
        </div>
      )}
    </div>
  );
}

/** A person of the audit trail by name; one lookup per person, shared by every row. */
function PersonName(props: { id: string }) {
  const u = useUser(props.id);
  if (!u.data) return <span className="muted">…{props.id.slice(-8)}</span>;
  return <>{fullName(u.data) || u.data.email}</>;
}

function details(meta: Record<string, unknown>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k.replaceAll("_", " ")}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

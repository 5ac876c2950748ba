import type { Schemas } from "@invited/client";
import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";

import {
  abilities,
  useCounts,
  useDeliveryDomains,
  useWebhookEndpoints,
  useDeactivate,
  useMe,
  usePeople,
  useResendInvite,
  useRevokeInvite,
  ROLE_RANK,
  type PeopleFilter,
  type Status,
  type User,
} from "../api/hooks";
import { Select } from "../kit/Field";
import { formatCount, formatDateTime, formatRelative, plural } from "../kit/format";
import { DELIVERY_LABEL, DELIVERY_PROBLEMS, DeliveryBadge, ROLE_LABEL, ReminderFacts, STATUS_LABEL, StatusBadge, fullName } from "../kit/labels";
import { RowMenu, type MenuItem } from "../kit/Menu";
import { Notice, ProblemNotice } from "../kit/Notice";
import { TableHead, type ColumnSort } from "../kit/Table";
import { BulkResendDialog, type BulkTarget } from "./BulkResend";
import { filterFromURL, filterToURL, ROLES, SORTS } from "./filters";
import { WebhookDisabledBanner } from "./Webhooks";
import { DomainHealthBanner } from "./Domains";
import { CreatePersonDialog, EditDialog, HistoryDialog, InviteLinkDialog, SetPasswordDialog } from "./PersonDialogs";

type Dialog =
  | { kind: "password" | "edit" | "history" | "link"; user: User }
  | { kind: "create" }
  | { kind: "bulk"; target: BulkTarget }
  | null;

interface Outcome {
  kind: "success" | "warning" | "error";
  text: string;
  user?: User;
  warnings?: Schemas["Warning"][];
  error?: unknown;
}

const TABS: { status: Status | ""; label: string }[] = [
  { status: "", label: "All" },
  { status: "invite_pending", label: STATUS_LABEL.invite_pending },
  { status: "confirmed", label: STATUS_LABEL.confirmed },
  { status: "deactivated", label: STATUS_LABEL.deactivated },
];

const SORT_LABEL: Record<PeopleFilter["sort"], string> = {
  "-created_at": "Newest first",
  created_at: "Oldest first",
  email: "Email A–Z",
  "-last_invited_at": "Last invited",
};

/** People → Individuals: the seed's screen. */
export function People() {
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFromURL(params), [params]);
  const setFilter = (f: Partial<PeopleFilter>) => setParams(filterToURL({ ...filter, ...f }), { replace: true });

  const me = useMe();
  const counts = useCounts();
  const { managesWebhooks } = abilities(me.data);
  const endpoints = useWebhookEndpoints(managesWebhooks);
  const domains = useDeliveryDomains({ problemsOnly: true });
  const people = usePeople(filter);
  const rows = useMemo(() => people.data?.pages.flatMap((p) => p.data) ?? [], [people.data]);

  const [dialog, setDialog] = useState<Dialog>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  useEffect(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, [filter]);

  const resend = useResendInvite();
  const revoke = useRevokeInvite();
  const deactivate = useDeactivate();

  const doResend = (u: User) => {
    setOutcome(null);
    resend.mutate(u.id, {
      onSuccess: (res) =>
        setOutcome({
          kind: res.warnings.length ? "warning" : "success",
          text: `A new invitation is on its way to ${u.email}. Every earlier link stopped working.`,
          user: u,
          warnings: res.warnings,
        }),
      onError: (error) => setOutcome({ kind: "error", text: "", error }),
    });
  };
  const doRevoke = (u: User) => {
    setOutcome(null);
    revoke.mutate(u.id, {
      onSuccess: () =>
        setOutcome({
          kind: "success",
          text: `The invitation link of ${u.email} stopped working. They stay invite-pending until you invite them again.`,
        }),
      onError: (error) => setOutcome({ kind: "error", text: "", error }),
    });
  };
  const doStatus = (u: User, off: boolean) => {
    setOutcome(null);
    deactivate.mutate(
      { id: u.id, deactivate: off },
      {
        onSuccess: (v) =>
          setOutcome({
            kind: "success",
            text: off
              ? `${u.email} is deactivated: they can no longer sign in, and their invitation links stopped working.`
              : `${u.email} is active again (${STATUS_LABEL[v.status]}). No invitation was sent.`,
          }),
        onError: (error) => setOutcome({ kind: "error", text: "", error }),
      },
    );
  };

  const menuFor = (u: User): MenuItem[] => {
    const myRank = me.data ? ROLE_RANK[me.data.role] : 0;
    const outranked = ROLE_RANK[u.role] > myRank || (u.role === "owner" && me.data?.role !== "owner");
    const rankReason = outranked ? `${ROLE_LABEL[u.role]}s outrank you` : undefined;
    const notPending = u.status !== "invite_pending" ? `The user is ${STATUS_LABEL[u.status]}` : undefined;
    const notLive =
      u.invite?.state === "live" ? undefined : u.invite ? `The invitation is ${u.invite.state}` : "The user was never invited";
    const items: MenuItem[] = [
      { label: "Resend invite", onSelect: () => doResend(u), disabledReason: notPending ?? rankReason },
      { label: "Copy invite link", onSelect: () => setDialog({ kind: "link", user: u }), disabledReason: notPending ?? rankReason },
      { label: "Revoke invite", onSelect: () => doRevoke(u), disabledReason: notPending ?? notLive ?? rankReason, danger: true },
      {
        label: "Set password",
        onSelect: () => setDialog({ kind: "password", user: u }),
        disabledReason: u.status === "deactivated" ? "The user is Deactivated: reactivate them first" : rankReason,
      },
      {
        label: "Edit",
        onSelect: () => setDialog({ kind: "edit", user: u }),
        disabledReason: rankReason,
      },
      { label: "Invitation history", onSelect: () => setDialog({ kind: "history", user: u }) },
    ];
    if (u.id !== me.data?.id) {
      items.push(
        u.status === "deactivated"
          ? { label: "Reactivate", onSelect: () => doStatus(u, false), disabledReason: rankReason }
          : { label: "Deactivate", onSelect: () => doStatus(u, true), disabledReason: rankReason, danger: true },
      );
    }
    return items;
  };

  const total = counts.data ? counts.data.invite_pending + counts.data.confirmed + counts.data.deactivated : undefined;
  const countOf = (s: Status | "") => (!counts.data ? undefined : s === "" ? total : counts.data[s]);
  const activeTab = filter.status.length === 1 ? filter.status[0] : filter.status.length === 0 ? "" : undefined;
  const hasMore = !!people.hasNextPage;
  const allLoadedSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (id: string) => {
    setAllMatching(false);
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  };
  const sortBy = (sort: PeopleFilter["sort"]): ColumnSort => ({
    direction: sort.startsWith("-") ? "descending" : "ascending",
    active: filter.sort === sort,
    onSort: () => setFilter({ sort }),
  });
  const bulkTarget = (): BulkTarget =>
    allMatching
      ? {
          filter: {
            ...(filter.q ? { q: filter.q } : {}),
            ...(filter.role.length ? { role: filter.role.join(",") } : {}),
            ...(filter.delivery.length ? { delivery_status: filter.delivery.join(",") } : {}),
          },
        }
      : { user_ids: [...selected] };

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">People</p>
          <h1>Individuals</h1>
        </div>
        <div className="row">
          <Link className="button" to="/import">
            Import CSV
          </Link>
          <button type="button" className="button button-primary" onClick={() => setDialog({ kind: "create" })}>
            Add person
          </button>
        </div>
      </header>

      <DomainHealthBanner domains={domains.data?.data} />
      {managesWebhooks && <WebhookDisabledBanner endpoints={endpoints.data?.data} link />}

      <nav className="tabs" aria-label="Filter by status">
        {TABS.map((tab) => {
          const q = filterToURL({ ...filter, status: tab.status ? [tab.status] : [] }).toString();
          const n = countOf(tab.status);
          return (
            <Link key={tab.label} to={`/people${q ? `?${q}` : ""}`} className="tab" aria-current={activeTab === tab.status ? "page" : undefined} replace>
              {tab.label}
              {n !== undefined && <span className="tab-count">{formatCount(n)}</span>}
            </Link>
          );
        })}
      </nav>

      <div className="toolbar" role="search">
        <SearchBox value={filter.q} onChange={(q) => setFilter({ q })} />
        <Select
          label="Role"
          value={filter.role.join(",")}
          onChange={(v) => setFilter({ role: v ? (v.split(",") as PeopleFilter["role"]) : [] })}
          options={[{ value: "", label: "Any role" }, ...ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))]}
        />
        <Select
          label="Delivery"
          value={filter.delivery.join(",")}
          onChange={(v) => setFilter({ delivery: v ? (v.split(",") as PeopleFilter["delivery"]) : [] })}
          options={[
            { value: "", label: "Any delivery" },
            { value: DELIVERY_PROBLEMS.join(","), label: "Did not arrive" },
            ...(["delivered", "deferred", "bounced", "blocked", "dropped", "spam_report", "failed", "sent", "sending", "queued", "by_hand"] as const).map((d) => ({
              value: d,
              label: DELIVERY_LABEL[d],
            })),
          ]}
        />
        <Select
          label="Sort"
          value={filter.sort}
          onChange={(v) => setFilter({ sort: v as PeopleFilter["sort"] })}
          options={SORTS.map((s) => ({ value: s, label: SORT_LABEL[s] }))}
        />
      </div>

      <div aria-live="polite">
        {outcome && <OutcomeNotice outcome={outcome} onAction={(kind, user) => setDialog({ kind, user })} />}
      </div>

      {(selected.size > 0 || allMatching) && (
        <div className="bulkbar" role="region" aria-label="Selection">
          <span>{allMatching ? "All invite-pending people matching this filter are selected." : `${plural(selected.size, "person", "people")} selected.`}</span>
          {!allMatching && allLoadedSelected && hasMore && (
            <button type="button" className="link-button" onClick={() => setAllMatching(true)}>
              Select all invite-pending people matching this filter
            </button>
          )}
          <button type="button" className="button button-primary" onClick={() => setDialog({ kind: "bulk", target: bulkTarget() })}>
            Resend invites…
          </button>
          <button
            type="button"
            className="button button-ghost"
            onClick={() => {
              setSelected(new Set());
              setAllMatching(false);
            }}
          >
            Clear selection
          </button>
        </div>
      )}

      <ProblemNotice error={people.error} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">People of the organization</caption>
          <TableHead
            columns={[
              {
                className: "col-check",
                label: (
                  <input
                    type="checkbox"
                    aria-label="Select every person shown"
                    checked={allLoadedSelected}
                    onChange={() => {
                      setAllMatching(false);
                      setSelected(allLoadedSelected ? new Set() : new Set(rows.map((r) => r.id)));
                    }}
                  />
                ),
              },
              { label: "Name" },
              { label: "Email", sort: sortBy("email") },
              { label: "Role" },
              { label: "Status" },
              { label: "Invitation", sort: sortBy("-last_invited_at") },
              { label: <span className="visually-hidden">Actions</span>, className: "col-menu" },
            ]}
          />
          <tbody>
            {rows.map((u) => (
              <tr key={u.id} aria-selected={selected.has(u.id) || allMatching}>
                <td className="col-check">
                  <input
                    type="checkbox"
                    aria-label={`Select ${fullName(u) || u.email}`}
                    checked={selected.has(u.id) || allMatching}
                    onChange={() => toggle(u.id)}
                  />
                </td>
                <td className="cell-name">{fullName(u) || <span className="muted">—</span>}</td>
                <td>
                  <span className="cell-email">{u.email}</span>
                  {u.email_suggestion && (
                    <span className="suggestion">
                      Did you mean <strong>{u.email_suggestion}</strong>?
                    </span>
                  )}
                </td>
                <td>{ROLE_LABEL[u.role]}</td>
                <td>
                  <StatusBadge user={u} />
                  {u.must_change_password && <span className="muted small block">Temporary password</span>}
                </td>
                <td>
                  <InviteCell user={u} />
                </td>
                <td className="col-menu">
                  <RowMenu label={`Actions for ${fullName(u) || u.email}`} items={menuFor(u)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {people.isPending && <p className="table-empty">Loading people…</p>}
        {!people.isPending && rows.length === 0 && <p className="table-empty">Nobody matches this filter.</p>}
      </div>
      {hasMore && (
        <div className="load-more">
          <button type="button" className="button" onClick={() => void people.fetchNextPage()} disabled={people.isFetchingNextPage}>
            {people.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </div>
      )}

      {dialog?.kind === "password" && <SetPasswordDialog user={dialog.user} onClose={() => setDialog(null)} />}
      {dialog?.kind === "edit" && <EditDialog user={dialog.user} onClose={() => setDialog(null)} />}
      {dialog?.kind === "history" && <HistoryDialog user={dialog.user} onClose={() => setDialog(null)} />}
      {dialog?.kind === "link" && <InviteLinkDialog user={dialog.user} onClose={() => setDialog(null)} />}
      {dialog?.kind === "create" && <CreatePersonDialog onClose={() => setDialog(null)} />}
      {dialog?.kind === "bulk" && (
        <BulkResendDialog
          target={dialog.target}
          onClose={() => {
            setDialog(null);
            setSelected(new Set());
            setAllMatching(false);
          }}
        />
      )}
    </div>
  );
}

/** The invitation column: times sent, last sent, by whom, expiry, delivery. */
function InviteCell(props: { user: User }) {
  const inv = props.user.invite;
  const by = props.user.invited_by;
  if (!inv) return <span className="muted">Never invited</span>;
  const state =
    inv.state === "live"
      ? `Expires ${formatRelative(inv.expires_at)}`
      : inv.state === "expired"
        ? `Expired ${formatRelative(inv.expires_at)}`
        : inv.state === "accepted"
          ? "Accepted"
          : "Link revoked";
  return (
    <div className="invite-cell">
      <span>
        {inv.sent_count === 1 ? "Invited once" : `Invited ${inv.sent_count} times`} ·{" "}
        {inv.last_sent_at ? (
          <span title={formatDateTime(inv.last_sent_at)}>last sent {formatRelative(inv.last_sent_at)}</span>
        ) : inv.delivery.status === "by_hand" ? (
          <span title={formatDateTime(inv.created_at)}>link handed over {formatRelative(inv.created_at)}</span>
        ) : (
          <span title={formatDateTime(inv.created_at)}>queued {formatRelative(inv.created_at)}</span>
        )}
      </span>
      {by && <span className="muted small">by {by.name}</span>}
      <span className="muted small">{state}</span>
      {inv.state !== "accepted" && <DeliveryBadge status={inv.delivery.status} reason={inv.delivery.reason} />}
      <ReminderFacts user={props.user} />
    </div>
  );
}

function SearchBox(props: { value: string; onChange: (q: string) => void }) {
  const [text, setText] = useState(props.value);
  const { onChange, value } = props;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const t = setTimeout(() => onChange(text.trim()), 300);
    return () => clearTimeout(t);
  }, [text, value, onChange]);
  return (
    <div className="field field-inline field-search">
      <label htmlFor="people-search">Search</label>
      <input id="people-search" type="search" placeholder="Name or email" value={text} onChange={(e) => setText(e.target.value)} />
    </div>
  );
}

/** What the last action did, with the action the API's warnings suggest. */
function OutcomeNotice(props: { outcome: Outcome; onAction: (kind: "password" | "edit", user: User) => void }) {
  const { outcome } = props;
  if (outcome.kind === "error") return <ProblemNotice error={outcome.error} />;
  const user = outcome.user;
  return (
    <Notice kind={outcome.kind}>
      <p>{outcome.text}</p>
      {outcome.warnings?.map((w) => (
        <div key={w.code} className="warning-line">
          <p>{w.message}</p>
          {user && w.code.startsWith("previous_delivery_") && (
            <button type="button" className="button button-small" onClick={() => props.onAction("password", user)}>
              Set a password instead
            </button>
          )}
          {user && w.code === "email_suggestion" && (
            <button type="button" className="button button-small" onClick={() => props.onAction("edit", user)}>
              Fix the email address
            </button>
          )}
        </div>
      ))}
    </Notice>
  );
}

import type { DeliveryStatus, Role, Status, User } from "../api/hooks";
import { formatDateTime, formatRelative, plural } from "./format";

export const STATUS_LABEL: Record<Status, string> = {
  invite_pending: "Invite pending",
  confirmed: "Confirmed",
  deactivated: "Deactivated",
};

export const ROLE_LABEL: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  hr: "HR",
  curator: "Curator",
  learner: "Learner",
};

export const DELIVERY_LABEL: Record<DeliveryStatus, string> = {
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  deferred: "Deferred",
  bounced: "Bounced",
  blocked: "Blocked",
  dropped: "Dropped",
  spam_report: "Marked as spam",
  failed: "Failed",
  by_hand: "Link handed over",
};

/** Delivery outcomes that mean the email did not arrive. */
export const DELIVERY_PROBLEMS: DeliveryStatus[] = ["bounced", "blocked", "dropped", "spam_report", "failed"];

const deliveryTone: Record<DeliveryStatus, string> = {
  queued: "neutral",
  sending: "neutral",
  sent: "info",
  delivered: "good",
  deferred: "warn",
  bounced: "bad",
  blocked: "bad",
  dropped: "bad",
  spam_report: "bad",
  failed: "bad",
  by_hand: "info",
};

/**
 * The status badge of the people table; a pending user never invited, or
 * whose invitation a manager revoked, is "Not yet invited".
 */
export function StatusBadge(props: { user: User }) {
  const { status, invite } = props.user;
  const uninvited = !invite || (invite.state === "revoked" && invite.revoke_reason === "revoked");
  if (status === "invite_pending" && uninvited) return <span className="badge badge-neutral">Not yet invited</span>;
  const tone = status === "confirmed" ? "good" : status === "deactivated" ? "muted" : "pending";
  return <span className={`badge badge-${tone}`}>{STATUS_LABEL[status]}</span>;
}

/**
 * "Bounced: 550 5.1.1 mailbox does not exist". The provider's reason is
 * shown when something went wrong; a delivery's "250 OK" says nothing.
 */
export function DeliveryBadge(props: { status: DeliveryStatus; reason?: string | undefined }) {
  const explain = props.reason && (props.status === "deferred" || DELIVERY_PROBLEMS.includes(props.status));
  return (
    <span className="delivery">
      <span className={`badge badge-${deliveryTone[props.status]}`}>{DELIVERY_LABEL[props.status]}</span>
      {explain && <span className="delivery-reason">{props.reason}</span>}
    </span>
  );
}

export function fullName(u: { first_name: string; last_name: string }): string {
  return `${u.first_name} ${u.last_name}`.trim();
}

type Stopped = NonNullable<User["reminders_stopped"]>;

/** Why the reminders of a person stopped, after "Reminders stopped: ". */
const REMINDERS_STOPPED: Record<Stopped, string> = {
  bounced: "the invitation bounced",
  blocked: "the recipient's mail server blocked the invitation",
  dropped: "the email provider dropped the invitation",
  spam_report: "the invitation was reported as spam",
};

/**
 * A person's automatic reminders, from the user view: how many were sent
 * since the last invitation, when the next is due (in the reader's own
 * time), or why they stopped. Nothing for a person reminders never
 * concerned.
 */
export function ReminderFacts(props: { user: User; detailed?: boolean }) {
  const { reminders_sent: sent, next_reminder_at: next, reminders_stopped: stopped } = props.user;
  const count = sent > 0 ? plural(sent, "reminder sent", "reminders sent") : "";
  if (!props.detailed) {
    if (!stopped && !next && sent === 0) return null;
    return (
      <span className="reminder small" data-testid="reminders">
        {stopped ? (
          <span className="reminder-stopped">Reminders stopped: {REMINDERS_STOPPED[stopped]}</span>
        ) : next ? (
          <span className="muted">
            Next reminder <time dateTime={next}>{formatDateTime(next)}</time>
          </span>
        ) : null}
        {count && <span className="muted">{stopped || next ? ` · ${count}` : count}</span>}
      </span>
    );
  }
  return (
    <dl className="facts">
      <dt>Reminders sent</dt>
      <dd>{sent > 0 ? plural(sent, "reminder", "reminders") + " since the last invitation" : "None since the last invitation"}</dd>
      <dt>Next reminder</dt>
      <dd>
        {next ? (
          <>
            <time dateTime={next}>{formatDateTime(next)}</time> <span className="muted">({formatRelative(next)})</span>
          </>
        ) : (
          "None scheduled"
        )}
      </dd>
      {stopped && (
        <>
          <dt>Reminders stopped</dt>
          <dd>
            Because {REMINDERS_STOPPED[stopped]}. A resend starts them again.
          </dd>
        </>
      )}
    </dl>
  );
}

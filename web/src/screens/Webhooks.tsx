import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";

import {
  abilities,
  useCreateWebhookEndpoint,
  useDeleteWebhookEndpoint,
  useMe,
  useReplayWebhookDelivery,
  useRotateWebhookSecret,
  useTestWebhookEndpoint,
  useUpdateWebhookEndpoint,
  useWebhookDeliveries,
  useWebhookDelivery,
  useWebhookEndpoints,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEvent,
} from "../api/hooks";
import { Loading } from "../kit/Loading";
import { CopyButton } from "../kit/CopyButton";
import { Dialog, DialogActions } from "../kit/Dialog";
import { ErrorList, Field } from "../kit/Field";
import { formatDateTime, formatRelative } from "../kit/format";
import { RowMenu, type MenuItem } from "../kit/Menu";
import { Notice, ProblemNotice, fieldErrors } from "../kit/Notice";
import { TableHead, type Column } from "../kit/Table";

/** Every event an endpoint can subscribe to, in the order of docs/webhooks.md, with what it tells. */
const WEBHOOK_EVENTS: { type: WebhookEvent; label: string }[] = [
  { type: "user.created", label: "A person was added" },
  { type: "user.updated", label: "A person's details changed" },
  { type: "user.confirmed", label: "A person activated their account" },
  { type: "user.deactivated", label: "A person was deactivated" },
  { type: "user.reactivated", label: "A person was reactivated" },
  { type: "user.password_set", label: "An administrator set a person's password" },
  { type: "invite.sent", label: "An invitation was sent" },
  { type: "invite.resent", label: "An invitation was sent again" },
  { type: "invite.revoked", label: "An invitation was withdrawn" },
  { type: "invite.accepted", label: "An invitation was accepted" },
  { type: "invite.expired", label: "An invitation expired" },
  { type: "invite.reminded", label: "An automatic reminder was sent" },
  { type: "invite.delivery_updated", label: "What became of an invitation email (delivered, bounced, blocked…)" },
  { type: "job.finished", label: "A bulk job finished" },
];

const DELIVERY_STATUS: Record<WebhookDelivery["status"], { label: string; tone: string }> = {
  pending: { label: "Pending", tone: "pending" },
  succeeded: { label: "Succeeded", tone: "good" },
  failed: { label: "Failed", tone: "bad" },
};

const ENDPOINT_COLUMNS: Column[] = [
  { label: "Endpoint" },
  { label: "Events" },
  { label: "Status" },
  { label: <span className="visually-hidden">Actions</span>, className: "col-menu" },
];

const DELIVERY_COLUMNS: Column[] = [
  ...["Event", "Created", "Status", "Response", "Latency", "Attempts", "Next retry"].map((label) => ({ label })),
  { label: <span className="visually-hidden">Actions</span> },
];

const ATTEMPT_COLUMNS: Column[] = ["#", "When", "Answer", "Latency", "Start of the answer"].map((label) => ({ label }));

/** Why an endpoint is disabled, in a few words. */
function disabledLabel(e: WebhookEndpoint): string {
  switch (e.disabled_reason) {
    case "gone":
      return "Disabled by the service: the endpoint answered 410 Gone";
    case "failing":
      return "Disabled by the service: every delivery failed for 3 days";
    default:
      return "Disabled by an administrator";
  }
}

/** The endpoints the service itself disabled: their owners must be told why. */
function disabledByService(endpoints: WebhookEndpoint[] | undefined): WebhookEndpoint[] {
  return (endpoints ?? []).filter((e) => !e.enabled && (e.disabled_reason === "gone" || e.disabled_reason === "failing"));
}

/**
 * The banner of the endpoints the service disabled, with why; on the
 * webhooks screen and, for owners and admins, on People → Individuals.
 */
export function WebhookDisabledBanner(props: { endpoints: WebhookEndpoint[] | undefined; link?: boolean }) {
  const off = disabledByService(props.endpoints);
  if (off.length === 0) return null;
  return (
    <Notice kind="warning" title={off.length === 1 ? "A webhook endpoint was disabled" : `${off.length} webhook endpoints were disabled`}>
      <ul className="plain stack-tight">
        {off.map((e) => (
          <li key={e.id}>
            <code>{e.url}</code> receives nothing since {formatDateTime(e.disabled_at)}. {e.disabled_detail ?? disabledLabel(e)}
          </li>
        ))}
      </ul>
      {props.link && (
        <p>
          <Link to="/settings/webhooks">Open the webhooks</Link> to fix and enable it again.
        </p>
      )}
    </Notice>
  );
}

type Dialogs =
  | { kind: "create" }
  | { kind: "edit" | "delete" | "rotate"; endpoint: WebhookEndpoint }
  | { kind: "secret"; endpoint: WebhookEndpoint; secret: string; rotated: boolean }
  | { kind: "delivery"; id: string }
  | null;

/** Settings → Webhooks: the organization's endpoints and what was sent to them. Owners and admins. */
export function Webhooks() {
  const me = useMe();
  const allowed = abilities(me.data).managesWebhooks;
  const endpoints = useWebhookEndpoints(allowed);
  const [params, setParams] = useSearchParams();
  const shown = params.get("endpoint") ?? "";
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [outcome, setOutcome] = useState<{ kind: "success" | "error"; text: string; error?: unknown } | null>(null);
  const update = useUpdateWebhookEndpoint();
  const test = useTestWebhookEndpoint();

  if (!me.data) return <Loading />;
  if (!allowed) {
    return (
      <div className="page">
        <header className="page-header">
          <div>
            <p className="breadcrumb">Settings</p>
            <h1>Webhooks</h1>
          </div>
        </header>
        <Notice kind="info">Only owners and admins manage the organization's webhooks.</Notice>
      </div>
    );
  }
  const list = endpoints.data?.data ?? [];
  const current = list.find((e) => e.id === shown);
  const fail = (error: unknown) => setOutcome({ kind: "error", text: "", error });
  const setEnabled = (e: WebhookEndpoint, enabled: boolean) => {
    setOutcome(null);
    update.mutate(
      { id: e.id, enabled },
      {
        onSuccess: () =>
          setOutcome({
            kind: "success",
            text: enabled ? `${e.url} is enabled: what was pending is sent, in order.` : `${e.url} is disabled: nothing is sent to it until you enable it.`,
          }),
        onError: fail,
      },
    );
  };
  const ping = (e: WebhookEndpoint) => {
    setOutcome(null);
    test.mutate(e.id, {
      onSuccess: () => {
        setOutcome({ kind: "success", text: `A ping is on its way to ${e.url}. Its delivery is listed below.` });
        setParams({ endpoint: e.id }, { replace: true });
      },
      onError: fail,
    });
  };
  const menuFor = (e: WebhookEndpoint): MenuItem[] => [
    { label: "Deliveries", onSelect: () => setParams({ endpoint: e.id }, { replace: true }) },
    { label: "Send test ping", onSelect: () => ping(e), disabledReason: e.enabled ? undefined : "The endpoint is disabled" },
    { label: "Edit", onSelect: () => setDialog({ kind: "edit", endpoint: e }) },
    e.enabled ? { label: "Disable", onSelect: () => setEnabled(e, false) } : { label: "Enable", onSelect: () => setEnabled(e, true) },
    { label: "Rotate secret", onSelect: () => setDialog({ kind: "rotate", endpoint: e }) },
    { label: "Delete", onSelect: () => setDialog({ kind: "delete", endpoint: e }), danger: true },
  ];

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">Settings</p>
          <h1>Webhooks</h1>
        </div>
        <button type="button" className="button button-primary" onClick={() => setDialog({ kind: "create" })}>
          Add endpoint
        </button>
      </header>
      <p className="lead">
        Your systems hear what happens as it happens: each event is an HTTPS request to your endpoints, signed by the Standard Webhooks specification,
        retried for 3 days when the receiver does not answer.
      </p>
      <WebhookDisabledBanner endpoints={list} />
      <div aria-live="polite">{outcome && (outcome.kind === "error" ? <ProblemNotice error={outcome.error} /> : <Notice kind="success">{outcome.text}</Notice>)}</div>
      <ProblemNotice error={endpoints.error} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Webhook endpoints, oldest first</caption>
          <TableHead columns={ENDPOINT_COLUMNS} />
          <tbody>
            {list.map((e) => (
              <tr key={e.id} aria-current={e.id === shown ? "true" : undefined}>
                <td>
                  <code className="url">{e.url}</code>
                  {e.description && <span className="block muted small">{e.description}</span>}
                </td>
                <td className="small">{eventsLabel(e.events)}</td>
                <td>
                  <EndpointStatus endpoint={e} />
                </td>
                <td className="col-menu">
                  <RowMenu label={`Actions for ${e.url}`} items={menuFor(e)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {endpoints.isPending && <p className="table-empty">Loading endpoints…</p>}
        {!endpoints.isPending && list.length === 0 && !endpoints.error && (
          <p className="table-empty">No endpoint yet. Add one to have invitations, acceptances and bulk jobs reported to your systems.</p>
        )}
      </div>

      {current && <Deliveries key={current.id} endpoint={current} onClose={() => setParams({}, { replace: true })} onDetails={(id) => setDialog({ kind: "delivery", id })} />}

      {dialog?.kind === "create" && (
        <EndpointDialog
          onClose={() => setDialog(null)}
          onCreated={(endpoint, secret) => setDialog({ kind: "secret", endpoint, secret, rotated: false })}
        />
      )}
      {dialog?.kind === "edit" && <EndpointDialog endpoint={dialog.endpoint} onClose={() => setDialog(null)} />}
      {dialog?.kind === "secret" && <SecretDialog endpoint={dialog.endpoint} secret={dialog.secret} rotated={dialog.rotated} onClose={() => setDialog(null)} />}
      {dialog?.kind === "rotate" && (
        <RotateDialog
          endpoint={dialog.endpoint}
          onClose={() => setDialog(null)}
          onRotated={(endpoint, secret) => setDialog({ kind: "secret", endpoint, secret, rotated: true })}
        />
      )}
      {dialog?.kind === "delete" && (
        <DeleteDialog
          endpoint={dialog.endpoint}
          onClose={() => setDialog(null)}
          onDeleted={() => {
            setOutcome({ kind: "success", text: `${dialog.endpoint.url} was deleted with its deliveries; nothing more is sent to it.` });
            if (shown === dialog.endpoint.id) setParams({}, { replace: true });
            setDialog(null);
          }}
        />
      )}
      {dialog?.kind === "delivery" && <DeliveryDialog id={dialog.id} onClose={() => setDialog(null)} />}
    </div>
  );
}

function eventsLabel(events: WebhookEndpoint["events"]): string {
  return events.includes("*") ? "Every event, present and future" : events.join(", ");
}

function EndpointStatus(props: { endpoint: WebhookEndpoint }) {
  const e = props.endpoint;
  if (!e.enabled) {
    return (
      <span className="delivery">
        <span className="badge badge-bad">Disabled</span>
        <span className="delivery-reason">{disabledLabel(e)}</span>
      </span>
    );
  }
  return (
    <span className="delivery">
      <span className="badge badge-good">Enabled</span>
      {e.failing_since && <span className="delivery-reason">Failing since {formatDateTime(e.failing_since)}: disabled after 3 days of failures</span>}
      {e.previous_secret_expires_at && (
        <span className="muted small">The previous secret signs too until {formatDateTime(e.previous_secret_expires_at)}</span>
      )}
    </span>
  );
}

/** Adds an endpoint, or changes one's URL, events and description. */
function EndpointDialog(props: { endpoint?: WebhookEndpoint; onClose: () => void; onCreated?: (e: WebhookEndpoint, secret: string) => void }) {
  const editing = props.endpoint;
  const create = useCreateWebhookEndpoint();
  const update = useUpdateWebhookEndpoint();
  const [url, setUrl] = useState(editing?.url ?? "");
  const [description, setDescription] = useState(editing?.description ?? "");
  const [all, setAll] = useState(editing ? editing.events.includes("*") : false);
  const [chosen, setChosen] = useState<Set<WebhookEvent>>(
    new Set(editing && !editing.events.includes("*") ? (editing.events as WebhookEvent[]) : ["invite.accepted", "invite.delivery_updated"]),
  );
  // Whether the form was sent once: from then on, an empty choice of events is pointed out until an event is chosen.
  const [submitted, setSubmitted] = useState(false);
  const noneChosen = submitted && !all && chosen.size === 0;
  const m = editing ? update : create;

  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    if (!all && chosen.size === 0) return;
    const events = all ? (["*"] as const) : WEBHOOK_EVENTS.map((e) => e.type).filter((t) => chosen.has(t));
    const body = { url: url.trim(), description: description.trim(), events: [...events] };
    if (editing) {
      update.mutate({ id: editing.id, ...body }, { onSuccess: props.onClose });
    } else {
      create.mutate(body, { onSuccess: (res) => props.onCreated?.(res.endpoint, res.secret) });
    }
  };
  const toggle = (t: WebhookEvent) => {
    const next = new Set(chosen);
    if (next.has(t)) next.delete(t);
    else next.add(t);
    setChosen(next);
  };
  const general = m.error && ["url", "events", "description"].every((f) => fieldErrors(m.error, f).length === 0) ? m.error : null;
  const eventErrors = [...(noneChosen ? ["Choose at least one event, or every event."] : []), ...fieldErrors(m.error, "events")];

  return (
    <Dialog
      title={editing ? "Edit endpoint" : "Add a webhook endpoint"}
      wide
      onClose={props.onClose}
      footer={
        <DialogActions
          onCancel={props.onClose}
          action={{ label: editing ? "Save" : "Add endpoint", busyLabel: "Saving…", busy: m.isPending, form: "endpoint-form" }}
        />
      }
    >
      <form id="endpoint-form" className="stack" onSubmit={submit} noValidate>
        <ProblemNotice error={general} />
        <Field
          label="URL"
          type="url"
          value={url}
          required
          maxLength={2048}
          spellCheck={false}
          autoComplete="off"
          placeholder="https://lms.example.com/hooks/invited"
          onChange={(e) => setUrl(e.target.value)}
          hint="Where the events are posted: https, on a public address."
          errors={fieldErrors(m.error, "url")}
        />
        <Field
          label="Description"
          value={description}
          maxLength={500}
          onChange={(e) => setDescription(e.target.value)}
          hint="A note for your colleagues: what receives these events."
          errors={fieldErrors(m.error, "description")}
        />
        <fieldset className="fieldset" aria-describedby={eventErrors.length ? "endpoint-events-errors" : undefined}>
          <legend>Events</legend>
          <label className="checkbox">
            <input type="radio" name="events-scope" checked={all} onChange={() => setAll(true)} />
            <span>Every event, present and future</span>
          </label>
          <label className="checkbox">
            <input type="radio" name="events-scope" checked={!all} onChange={() => setAll(false)} />
            <span>Only these:</span>
          </label>
          <ul className="plain event-list">
            {WEBHOOK_EVENTS.map((e) => (
              <li key={e.type}>
                <label className="checkbox">
                  <input type="checkbox" disabled={all} checked={all || chosen.has(e.type)} onChange={() => toggle(e.type)} />
                  <span>
                    <code>{e.type}</code> <span className="muted small">{e.label}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
          <ErrorList id="endpoint-events-errors" errors={eventErrors} />
        </fieldset>
      </form>
    </Dialog>
  );
}

/** The signing secret, shown this once. */
function SecretDialog(props: { endpoint: WebhookEndpoint; secret: string; rotated: boolean; onClose: () => void }) {
  return (
    <Dialog
      title={props.rotated ? "The new signing secret" : "Endpoint added: its signing secret"}
      onClose={props.onClose}
      footer={<DialogActions action={{ label: "Done", onClick: props.onClose }} />}
    >
      <div className="stack">
        <Notice kind="warning" title="Shown only this once">
          Copy it into the configuration of the receiver at <code>{props.endpoint.url}</code> now: the service cannot show it again. Anyone who has it
          can forge webhooks to that receiver, so keep it as you keep a password.
        </Notice>
        <div className="secret">
          <code data-testid="webhook-secret">{props.secret}</code>
          <CopyButton value={props.secret} />
        </div>
        {props.rotated ? (
          <p>
            For 24 hours the old secret keeps signing beside the new one
            {props.endpoint.previous_secret_expires_at ? ` (until ${formatDateTime(props.endpoint.previous_secret_expires_at)})` : ""}: every webhook
            carries both signatures, so switch the receiver to the new secret within that time and nothing is lost. Rotating again drops the old secret at
            once.
          </p>
        ) : (
          <p>
            The receiver verifies the <code>webhook-signature</code> header with it, using a Standard Webhooks library, before trusting a request.
          </p>
        )}
      </div>
    </Dialog>
  );
}

function RotateDialog(props: { endpoint: WebhookEndpoint; onClose: () => void; onRotated: (e: WebhookEndpoint, secret: string) => void }) {
  const rotate = useRotateWebhookSecret();
  return (
    <Dialog
      title="Rotate the signing secret?"
      onClose={props.onClose}
      footer={
        <DialogActions
          onCancel={props.onClose}
          action={{
            label: "Rotate secret",
            busyLabel: "Rotating…",
            busy: rotate.isPending,
            onClick: () => rotate.mutate(props.endpoint.id, { onSuccess: (res) => props.onRotated(res.endpoint, res.secret) }),
          }}
        />
      }
    >
      <div className="stack">
        <p>
          <code>{props.endpoint.url}</code> gets a new secret, shown once. The current one keeps signing beside it for 24 hours, so the receiver can switch
          without losing a webhook.
        </p>
        {props.endpoint.previous_secret_expires_at && (
          <Notice kind="warning">A rotation is under way: rotating again stops the oldest secret at once (what to do when a secret leaked).</Notice>
        )}
        <ProblemNotice error={rotate.error} />
      </div>
    </Dialog>
  );
}

function DeleteDialog(props: { endpoint: WebhookEndpoint; onClose: () => void; onDeleted: () => void }) {
  const del = useDeleteWebhookEndpoint();
  return (
    <Dialog
      title="Delete this endpoint?"
      onClose={props.onClose}
      footer={
        <DialogActions
          onCancel={props.onClose}
          action={{
            label: "Delete endpoint",
            busyLabel: "Deleting…",
            busy: del.isPending,
            danger: true,
            onClick: () => del.mutate(props.endpoint.id, { onSuccess: props.onDeleted }),
          }}
        />
      }
    >
      <div className="stack">
        <p>
          Nothing more is sent to <code>{props.endpoint.url}</code>, and its delivery history is deleted. To stop for a while instead, disable it.
        </p>
        <ProblemNotice error={del.error} />
      </div>
    </Dialog>
  );
}

/** The deliveries of one endpoint, newest first, with a replay for each. */
function Deliveries(props: { endpoint: WebhookEndpoint; onClose: () => void; onDetails: (id: string) => void }) {
  const deliveries = useWebhookDeliveries(props.endpoint.id);
  const replay = useReplayWebhookDelivery();
  const rows = deliveries.rows;
  return (
    <section className="card" aria-labelledby="deliveries-heading">
      <div className="section-header">
        <h2 id="deliveries-heading">Deliveries to {props.endpoint.url}</h2>
        <div className="row">
          <button type="button" className="button button-ghost button-small" onClick={deliveries.refresh} disabled={deliveries.isFetching}>
            Refresh
          </button>
          <button type="button" className="button button-ghost button-small" onClick={props.onClose}>
            Close
          </button>
        </div>
      </div>
      <p className="muted small">New deliveries show on their own within 15 seconds, and the pending ones among the newest 25 are followed every 2 seconds; Refresh asks again for every delivery listed.</p>
      <div aria-live="polite">
        {replay.isSuccess && <Notice kind="success">The event is sent again as a new delivery, with the same webhook-id.</Notice>}
        <ProblemNotice error={replay.error} />
      </div>
      <ProblemNotice error={deliveries.error} />
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="visually-hidden">Deliveries, newest first</caption>
          <TableHead columns={DELIVERY_COLUMNS} />
          <tbody>
            {rows.map((d) => (
              <tr key={d.id}>
                <td>
                  <code>{d.event_type}</code>
                  {d.replay_of && <span className="block muted small">Replay of an earlier delivery</span>}
                </td>
                <td>{formatDateTime(d.created_at)}</td>
                <td>
                  <span className={`badge badge-${DELIVERY_STATUS[d.status].tone}`}>{DELIVERY_STATUS[d.status].label}</span>
                </td>
                <td>
                  {d.last_response_code !== null ? `HTTP ${d.last_response_code}` : d.last_error ? "" : "—"}
                  {d.last_error && d.last_response_code === null && <span className="delivery-reason">{d.last_error}</span>}
                </td>
                <td>{d.last_latency_ms !== null ? `${d.last_latency_ms} ms` : "—"}</td>
                <td>{d.attempt_count}</td>
                <td>{d.next_attempt_at ? formatRelative(d.next_attempt_at) : "—"}</td>
                <td className="nowrap">
                  <button type="button" className="button button-small" onClick={() => props.onDetails(d.id)} aria-label={`Attempts of ${d.event_type} at ${formatDateTime(d.created_at)}`}>
                    Attempts
                  </button>{" "}
                  <button
                    type="button"
                    className="button button-small"
                    disabled={replay.isPending}
                    aria-label={`Replay ${d.event_type} of ${formatDateTime(d.created_at)}`}
                    onClick={() => replay.mutate(d.id)}
                  >
                    Replay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {deliveries.isPending && <p className="table-empty">Loading deliveries…</p>}
        {!deliveries.isPending && rows.length === 0 && <p className="table-empty">Nothing was sent to this endpoint yet. Send a test ping to try it.</p>}
      </div>
      {deliveries.hasNextPage && (
        <div className="load-more">
          <button type="button" className="button" onClick={deliveries.fetchNextPage} disabled={deliveries.isFetchingNextPage}>
            Load more
          </button>
        </div>
      )}
    </section>
  );
}

/** One delivery's attempts: when, the answer or why there was none, the latency. */
function DeliveryDialog(props: { id: string; onClose: () => void }) {
  const d = useWebhookDelivery(props.id);
  const attempts = d.data?.attempts ?? [];
  return (
    <Dialog title={d.data ? `Attempts of ${d.data.event_type}` : "Attempts"} wide onClose={props.onClose}>
      <ProblemNotice error={d.error} />
      {d.isPending && <Loading />}
      {d.data && (
        <div className="stack">
          <p className="muted small">
            webhook-id <code>{d.data.event_id}</code>
          </p>
          <div className="table-wrap">
            <table className="table table-compact">
              <caption className="visually-hidden">Attempts, oldest first</caption>
              <TableHead columns={ATTEMPT_COLUMNS} />
              <tbody>
                {attempts.map((a) => (
                  <tr key={a.number}>
                    <td>{a.number}</td>
                    <td>{formatDateTime(a.started_at)}</td>
                    <td>{a.status_code !== null ? `HTTP ${a.status_code}` : (a.error ?? "—")}</td>
                    <td>{a.latency_ms} ms</td>
                    <td className="small">{a.response_body ? <code>{a.response_body}</code> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {attempts.length === 0 && <p className="table-empty">No attempt yet.</p>}
          </div>
          {d.data.next_attempt_at && <p>The next attempt is due {formatRelative(d.data.next_attempt_at)}.</p>}
        </div>
      )}
    </Dialog>
  );
}

import { useState, type FormEvent } from "react";

import {
  useCreateUser,
  useInviteHistory,
  useInviteLink,
  useMe,
  useResendInvite,
  useSetPassword,
  useUpdateUser,
  ROLE_RANK,
  type Role,
  type User,
} from "../api/hooks";
import { rememberedOrganization } from "../api/session";
import { Dialog, DialogActions } from "../kit/Dialog";
import { CopyButton } from "../kit/CopyButton";
import { Field } from "../kit/Field";
import { formatDateTime } from "../kit/format";
import { DeliveryBadge, ROLE_LABEL, ReminderFacts, fullName } from "../kit/labels";
import { EMAIL_LOCALES, LIFETIMES, localeLabel } from "../kit/locales";
import { Notice, ProblemNotice, fieldErrors } from "../kit/Notice";
import { TableHead, type Column } from "../kit/Table";

/** Problems that are not about one field of the form, shown above it. */
function formProblem(error: unknown, fields: string[]): unknown {
  return error && fields.every((f) => fieldErrors(error, f).length === 0) ? error : null;
}

/**
 * The seed's "Alternative": set a password by hand when email does not get
 * through. Type one (the policy's errors show as the API names them) or
 * generate one, shown once, with what to tell the user.
 */
export function SetPasswordDialog(props: { user: User; onClose: () => void }) {
  const { user } = props;
  const set = useSetPassword();
  const [mode, setMode] = useState<"type" | "generate">("type");
  const [password, setPassword] = useState("");
  const [temporary, setTemporary] = useState(true);
  const [result, setResult] = useState<{ password?: string; typed: boolean } | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    set.mutate(
      { id: user.id, temporary, ...(mode === "generate" ? { generate: true } : { password }) },
      { onSuccess: (res) => setResult({ ...(res.password ? { password: res.password } : {}), typed: mode === "type" }) },
    );
  };

  if (result) {
    return (
      <Dialog title="Password set" onClose={props.onClose} footer={<DialogActions action={{ label: "Done", onClick: props.onClose }} />}>
        <Notice kind="success">
          {fullName(user) || user.email} is confirmed. Every invitation link of theirs stopped working.
        </Notice>
        <h3>Inform the user</h3>
        <p>Contact them directly — not by the email that did not get through — with:</p>
        <ol className="checklist">
          <li>
            Their organization: <strong>{rememberedOrganization() || "your organization's short name"}</strong>, and their login email:{" "}
            <strong>{user.email}</strong>
          </li>
          <li>
            {result.password ? (
              <>
                The {temporary ? "temporary " : ""}password: <GeneratedPassword value={result.password} />
                <span className="muted small block">It is shown only this once.</span>
              </>
            ) : (
              <>The {temporary ? "temporary " : ""}password you typed.</>
            )}
          </li>
          {temporary && <li>That they must change it after signing in: the console asks them to at once.</li>}
        </ol>
      </Dialog>
    );
  }

  return (
    <Dialog
      title={`Set a password for ${fullName(user) || user.email}`}
      onClose={props.onClose}
      footer={
        <DialogActions onCancel={props.onClose} action={{ label: "Set password", busyLabel: "Setting…", busy: set.isPending, form: "set-password" }} />
      }
    >
      <form id="set-password" onSubmit={submit} className="stack">
        <p>
          Use this when the invitation does not get through. {user.status === "invite_pending" ? "The user becomes Confirmed and their invitation links stop working." : ""}
        </p>
        <ProblemNotice error={formProblem(set.error, ["password"])} />
        <fieldset className="choice">
          <legend>Password</legend>
          <label>
            <input type="radio" name="mode" checked={mode === "type"} onChange={() => setMode("type")} /> Type a password
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === "generate"} onChange={() => setMode("generate")} /> Generate a strong one
          </label>
        </fieldset>
        {mode === "type" && (
          <Field
            label="New password"
            type="text"
            autoComplete="off"
            spellCheck={false}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            hint="At least 12 characters, not the user's name or email, hard to guess."
            errors={fieldErrors(set.error, "password")}
          />
        )}
        <label className="checkbox">
          <input type="checkbox" checked={temporary} onChange={(e) => setTemporary(e.target.checked)} /> Temporary: the user must
          change it at first sign-in
        </label>
      </form>
    </Dialog>
  );
}

function GeneratedPassword(props: { value: string }) {
  return (
    <span className="secret">
      <code data-testid="generated-password">{props.value}</code>
      <CopyButton value={props.value} />
    </span>
  );
}

/** Fix a mistyped email (while invite-pending) or a name. */
export function EditDialog(props: { user: User; onClose: () => void }) {
  const { user } = props;
  const me = useMe();
  const update = useUpdateUser();
  const resend = useResendInvite();
  const [email, setEmail] = useState(user.email_suggestion ?? user.email);
  const [first, setFirst] = useState(user.first_name);
  const [last, setLast] = useState(user.last_name);
  const [locale, setLocale] = useState(user.locale);
  const [reinvite, setReinvite] = useState(true);
  const [done, setDone] = useState<string | null>(null);
  const pending = user.status === "invite_pending";
  const emailChanged = email.trim().toLowerCase() !== user.email;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await update.mutateAsync({
        id: user.id,
        ...(pending && emailChanged ? { email: email.trim() } : {}),
        ...(first !== user.first_name ? { first_name: first } : {}),
        ...(last !== user.last_name ? { last_name: last } : {}),
        ...(locale !== user.locale ? { locale } : {}),
      });
      if (pending && emailChanged && reinvite) {
        await resend.mutateAsync(user.id);
        setDone(`Saved. A new invitation is on its way to ${email.trim()}.`);
      } else setDone("Saved.");
    } catch {
      // shown from the mutations' errors
    }
  };

  if (done) {
    return (
      <Dialog title="Person updated" onClose={props.onClose} footer={<DialogActions action={{ label: "Done", onClick: props.onClose }} />}>
        <Notice kind="success">{done}</Notice>
      </Dialog>
    );
  }
  const error = update.error ?? resend.error;
  return (
    <Dialog
      title={`Edit ${fullName(user) || user.email}`}
      onClose={props.onClose}
      footer={<DialogActions onCancel={props.onClose} action={{ label: "Save", busy: update.isPending || resend.isPending, form: "edit-person" }} />}
    >
      <form id="edit-person" onSubmit={submit} className="stack">
        <ProblemNotice error={formProblem(error, ["email", "first_name", "last_name", "locale"])} />
        <Field
          label="Email"
          type="email"
          required
          value={email}
          disabled={!pending}
          onChange={(e) => setEmail(e.target.value)}
          errors={fieldErrors(error, "email")}
          hint={
            pending
              ? user.email_suggestion && email === user.email_suggestion
                ? `Suggested correction of ${user.email}. Changing the email revokes the current invitation link.`
                : "Changing the email revokes the current invitation link."
              : `The email of a ${user.status === "confirmed" ? "confirmed" : "deactivated"} user cannot be changed here.`
          }
        />
        {pending && emailChanged && (
          <label className="checkbox">
            <input type="checkbox" checked={reinvite} onChange={(e) => setReinvite(e.target.checked)} /> Send a new invitation to the new
            address
          </label>
        )}
        <Field label="First name" value={first} maxLength={100} onChange={(e) => setFirst(e.target.value)} errors={fieldErrors(error, "first_name")} />
        <Field label="Last name" value={last} maxLength={100} onChange={(e) => setLast(e.target.value)} errors={fieldErrors(error, "last_name")} />
        <LanguageSelect id="edit-locale" value={locale} onChange={setLocale} hint="The language of their invitation emails." />
        {me.data && <p className="muted small">Role: {ROLE_LABEL[user.role]}</p>}
      </form>
    </Dialog>
  );
}

/** Every invitation of a user, newest first, with what became of each email. */
export function HistoryDialog(props: { user: User; onClose: () => void }) {
  const history = useInviteHistory(props.user.id);
  return (
    <Dialog title={`Invitations of ${fullName(props.user) || props.user.email}`} onClose={props.onClose} wide>
      <ProblemNotice error={history.error} />
      {history.data && history.data.data.length === 0 && <p>No invitation was ever sent.</p>}
      {history.data && history.data.data.length > 0 && (
        <table className="table table-compact">
          <caption className="visually-hidden">Invitation history</caption>
          <TableHead columns={HISTORY_COLUMNS} />
          <tbody>
            {history.data.data.map((inv) => (
              <tr key={inv.id}>
                <td>{inv.sent_count}</td>
                <td>{formatDateTime(inv.created_at)}</td>
                <td>{formatDateTime(inv.last_sent_at)}</td>
                <td>
                  {inv.state === "revoked"
                    ? `Revoked (${REVOKE_REASON[inv.revoke_reason ?? ""] ?? inv.revoke_reason ?? ""})`
                    : inv.state === "live"
                      ? `Valid until ${formatDateTime(inv.expires_at)}`
                      : inv.state === "expired"
                        ? `Expired ${formatDateTime(inv.expires_at)}`
                        : `Accepted ${formatDateTime(inv.accepted_at)}`}
                </td>
                <td>
                  <DeliveryBadge status={inv.delivery.status} reason={inv.delivery.reason} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {history.isPending && <p>Loading…</p>}
      {props.user.status === "invite_pending" && (
        <section aria-labelledby="history-reminders">
          <h3 id="history-reminders">Automatic reminders</h3>
          <ReminderFacts user={props.user} detailed />
        </section>
      )}
    </Dialog>
  );
}

const HISTORY_COLUMNS: Column[] = ["#", "Created", "Sent", "Link", "Delivery"].map((label) => ({ label }));

const REVOKE_REASON: Record<string, string> = {
  superseded: "a newer invitation was sent",
  password_set: "a password was set",
  email_changed: "the email changed",
  deactivated: "the user was deactivated",
  revoked: "withdrawn",
};

/** Add one person, invited at once by default. */
export function CreatePersonDialog(props: { onClose: () => void }) {
  const me = useMe();
  const create = useCreateUser();
  const [email, setEmail] = useState("");
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const [role, setRole] = useState<Role>("learner");
  const [people, setPeople] = useState(false);
  const [invite, setInvite] = useState(true);
  const [locale, setLocale] = useState("");
  const [lifetime, setLifetime] = useState(0);
  const [created, setCreated] = useState<User | null>(null);
  const grantable = (Object.keys(ROLE_LABEL) as Role[]).filter((r) => me.data && ROLE_RANK[r] <= ROLE_RANK[me.data.role]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      {
        email: email.trim(),
        first_name: first,
        last_name: last,
        role,
        send_invite: invite,
        ...(locale ? { locale } : {}),
        ...(invite && lifetime ? { expires_in: lifetime } : {}),
        ...(role === "curator" && people ? { permissions: ["people"] } : {}),
      },
      { onSuccess: setCreated },
    );
  };
  if (created) {
    return (
      <Dialog title="Person added" onClose={props.onClose} footer={<DialogActions action={{ label: "Done", onClick: props.onClose }} />}>
        <Notice kind="success">
          {created.email} was added{invite ? " and an invitation is on its way" : ""}.
        </Notice>
        {created.email_suggestion && (
          <Notice kind="warning">
            Did you mean <strong>{created.email_suggestion}</strong>? Fix the address from the row's ⋮ menu, Edit.
          </Notice>
        )}
      </Dialog>
    );
  }
  return (
    <Dialog
      title="Add a person"
      onClose={props.onClose}
      footer={<DialogActions onCancel={props.onClose} action={{ label: "Add", busy: create.isPending, form: "create-person" }} />}
    >
      <form id="create-person" onSubmit={submit} className="stack">
        <ProblemNotice error={formProblem(create.error, ["email", "first_name", "last_name", "role", "locale", "expires_in"])} />
        <Field label="Email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} errors={fieldErrors(create.error, "email")} />
        <Field label="First name" value={first} maxLength={100} onChange={(e) => setFirst(e.target.value)} errors={fieldErrors(create.error, "first_name")} />
        <Field label="Last name" value={last} maxLength={100} onChange={(e) => setLast(e.target.value)} errors={fieldErrors(create.error, "last_name")} />
        <div className="field">
          <label htmlFor="create-role">Role</label>
          <select id="create-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {grantable.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        </div>
        {role === "curator" && (
          <label className="checkbox">
            <input type="checkbox" checked={people} onChange={(e) => setPeople(e.target.checked)} /> People permission (may manage people)
          </label>
        )}
        <LanguageSelect id="create-locale" value={locale} onChange={setLocale} allowDefault hint="The language of their invitation emails." />
        <label className="checkbox">
          <input type="checkbox" checked={invite} onChange={(e) => setInvite(e.target.checked)} /> Send the invitation now
        </label>
        {invite && <LifetimeSelect id="create-lifetime" value={lifetime} onChange={setLifetime} />}
      </form>
    </Dialog>
  );
}

/** The language of a person's emails; allowDefault offers the organization's. */
function LanguageSelect(props: { id: string; value: string; onChange: (v: string) => void; allowDefault?: boolean; hint?: string }) {
  const known = EMAIL_LOCALES.some((l) => l.value === props.value);
  return (
    <div className="field">
      <label htmlFor={props.id}>Language</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)} aria-describedby={props.hint ? `${props.id}-hint` : undefined}>
        {props.allowDefault && <option value="">The organization's default</option>}
        {!props.allowDefault && !known && <option value={props.value}>{localeLabel(props.value)}</option>}
        {EMAIL_LOCALES.map((l) => (
          <option key={l.value} value={l.value}>
            {l.label}
          </option>
        ))}
      </select>
      {props.hint && (
        <p id={`${props.id}-hint`} className="hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** How long an invitation link stays valid; 0 is the organization's default. */
function LifetimeSelect(props: { id: string; value: number; onChange: (v: number) => void }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>Link valid for</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(Number(e.target.value))}>
        <option value={0}>The organization's default</option>
        {LIFETIMES.map((l) => (
          <option key={l.hours} value={l.hours}>
            {l.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * "Copy invite link": a fresh invitation without an email, for the manager
 * to hand over when email does not get through. The link is shown once:
 * the service keeps it nowhere.
 */
export function InviteLinkDialog(props: { user: User; onClose: () => void }) {
  const { user } = props;
  const link = useInviteLink();
  const [lifetime, setLifetime] = useState(0);
  const [url, setUrl] = useState<string | null>(null);
  const name = fullName(user) || user.email;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    link.mutate({ id: user.id, ...(lifetime ? { expiresIn: lifetime } : {}) }, { onSuccess: (res) => setUrl(res.url ?? null) });
  };

  if (url) {
    return (
      <Dialog title={`Invitation link for ${name}`} onClose={props.onClose} footer={<DialogActions action={{ label: "Done", onClick: props.onClose }} />}>
        <Notice kind="warning" title="As sensitive as a password">
          Anyone who has this link can activate {name}'s account. Give it to them yourself, over a channel you trust.
        </Notice>
        <div className="secret">
          <code data-testid="invite-link">{url}</code>
          <CopyButton value={url} />
        </div>
        <p className="muted small">
          It is shown only this once: the service keeps it nowhere. Every earlier link of {name} stopped working, and no email was sent.
        </p>
      </Dialog>
    );
  }
  return (
    <Dialog
      title={`Invitation link for ${name}`}
      onClose={props.onClose}
      footer={
        <DialogActions onCancel={props.onClose} action={{ label: "Create link", busyLabel: "Creating…", busy: link.isPending, form: "invite-link" }} />
      }
    >
      <form id="invite-link" onSubmit={submit} className="stack">
        <p>
          For when the invitation email does not get through, for example when their mail server blocks it: you get a link to give {name} yourself,
          and no email is sent. It replaces every earlier link.
        </p>
        <Notice kind="warning" title="As sensitive as a password">
          Anyone who has the link can activate the account. Share it only with {name}, over a channel you trust.
        </Notice>
        <ProblemNotice error={link.error} />
        <LifetimeSelect id="link-lifetime" value={lifetime} onChange={setLifetime} />
      </form>
    </Dialog>
  );
}

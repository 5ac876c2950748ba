import { useState, type FormEvent } from "react";
import { Link } from "react-router";

import {
  abilities,
  useMe,
  useOrganization,
  useReminderPolicy,
  useSaveReminderPolicy,
  type ReminderPolicy,
  type ReminderPolicyRequest,
} from "../api/hooks";
import { Loading } from "../kit/Loading";
import { ErrorList, Field } from "../kit/Field";
import { Notice, ProblemNotice, fieldErrors } from "../kit/Notice";

/** The form as typed: text, so that nothing typed is lost or reformatted before the API has judged it. */
interface Form {
  enabled: boolean;
  afterDays: string;
  beforeExpiry: string;
  max: string;
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  skip: boolean;
}

function toForm(p: ReminderPolicy): Form {
  return {
    enabled: p.enabled,
    afterDays: p.after_days.join(", "),
    beforeExpiry: p.before_expiry_hours ? String(p.before_expiry_hours) : "",
    max: String(p.max_reminders),
    quiet: p.quiet_hours !== null,
    quietStart: p.quiet_hours?.start ?? "20:00",
    quietEnd: p.quiet_hours?.end ?? "08:00",
    skip: p.skip_when_undeliverable,
  };
}

/**
 * The request of the form: every field of the contract's request, named
 * one by one (PUT replaces the whole policy, and an answer that gains
 * fields must not send them back).
 */
function toRequest(f: Form): ReminderPolicyRequest {
  return {
    enabled: f.enabled,
    after_days: f.afterDays.split(/[\s,]+/).filter(Boolean).map(Number),
    before_expiry_hours: f.beforeExpiry.trim() === "" ? null : Number(f.beforeExpiry),
    max_reminders: Number(f.max),
    quiet_hours: f.quiet ? { start: f.quietStart, end: f.quietEnd } : null,
    skip_when_undeliverable: f.skip,
  };
}

/** The fields the API names in its errors; an error about none of them is shown above the form. */
const FIELDS = ["enabled", "after_days", "before_expiry_hours", "max_reminders", "quiet_hours", "quiet_hours.start", "quiet_hours.end", "skip_when_undeliverable"];

/**
 * Settings → Reminders: the organization's automatic reminders to the
 * people who have not accepted their invitation (docs/reminders.md).
 * Owners and admins only, as the API allows.
 */
export function Reminders() {
  const me = useMe();
  const allowed = abilities(me.data).managesOrganization;
  const policy = useReminderPolicy(allowed);
  const org = useOrganization();

  if (!me.data) return <Loading />;
  const header = (
    <header className="page-header">
      <div>
        <p className="breadcrumb">Settings</p>
        <h1>Reminders</h1>
      </div>
    </header>
  );
  if (!allowed) {
    return (
      <div className="page">
        {header}
        <Notice kind="info">Only owners and admins manage the organization's reminders.</Notice>
      </div>
    );
  }
  if (!policy.data) {
    return (
      <div className="page">
        {header}
        {policy.error ? <ProblemNotice error={policy.error} /> : <Loading />}
      </div>
    );
  }
  return (
    <div className="page">
      {header}
      <p className="lead">
        People miss invitation emails. With reminders on, the people who have not accepted yet are mailed again on the schedule below, until they
        accept, are deactivated or a people manager takes over; a resend starts their schedule again.
      </p>
      <PolicyForm stored={policy.data} timeZone={org.data?.time_zone} />
    </div>
  );
}

/**
 * The policy's form, started from the stored policy when it first shows:
 * a later answer for the policy (another tab's save, a refresh) does not
 * overwrite what is being typed; a save shows what the API stored.
 */
function PolicyForm(props: { stored: ReminderPolicy; timeZone: string | undefined }) {
  const save = useSaveReminderPolicy();
  const [form, setForm] = useState(() => toForm(props.stored));
  const [saved, setSaved] = useState(false);

  const set = (patch: Partial<Form>) => {
    setSaved(false);
    setForm({ ...form, ...patch });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate(toRequest(form), {
      onSuccess: (stored) => {
        setForm(toForm(stored));
        setSaved(true);
      },
    });
  };
  const errors = (field: string) => fieldErrors(save.error, field);
  const general = save.error && FIELDS.every((f) => errors(f).length === 0) ? save.error : null;
  const quietErrors = errors("quiet_hours");

  return (
    <section className="card" aria-labelledby="reminders-heading">
      <h2 id="reminders-heading">Automatic reminders</h2>
      <div aria-live="polite">
        {saved && (
          <Notice kind="success">
            Saved. Reminders are {form.enabled ? "on" : "off"}, and the people still invited follow this policy from now on.
          </Notice>
        )}
      </div>
      <ProblemNotice error={general} />
      <form onSubmit={submit} className="stack" aria-label="Reminder policy">
        <label className="checkbox">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Send reminders to the people who have
          not accepted their invitation
        </label>
        <Field
          label="Days after the last invitation"
          value={form.afterDays}
          inputMode="numeric"
          autoComplete="off"
          pattern="[\d\s,]*"
          title="Whole numbers of days, separated by commas"
          onChange={(e) => set({ afterDays: e.target.value })}
          hint="A reminder on each of these days after the last invitation a person was sent, such as 3, 7 (1 to 30, going up). Empty: none."
          errors={errors("after_days")}
        />
        <Field
          label="Hours before the link expires"
          type="number"
          min={1}
          max={168}
          value={form.beforeExpiry}
          onChange={(e) => set({ beforeExpiry: e.target.value })}
          hint="One last reminder this many hours before the invitation link stops working, such as 24. Empty: none."
          errors={errors("before_expiry_hours")}
        />
        <Field
          label="At most, per invitation"
          type="number"
          min={1}
          max={10}
          required
          value={form.max}
          onChange={(e) => set({ max: e.target.value })}
          hint="The most reminders after one invitation (1 to 10). There is always at least a day between two emails."
          errors={errors("max_reminders")}
        />
        <fieldset className="fieldset" aria-describedby={`quiet-hint${quietErrors.length ? " quiet-errors" : ""}`}>
          <legend>Quiet hours</legend>
          <label className="checkbox">
            <input type="checkbox" checked={form.quiet} onChange={(e) => set({ quiet: e.target.checked })} /> No reminders at night
          </label>
          {form.quiet && (
            <div className="row">
              <Field
                label="From"
                type="time"
                required
                value={form.quietStart}
                onChange={(e) => set({ quietStart: e.target.value })}
                errors={errors("quiet_hours.start")}
              />
              <Field label="Until" type="time" required value={form.quietEnd} onChange={(e) => set({ quietEnd: e.target.value })} errors={errors("quiet_hours.end")} />
            </div>
          )}
          <p id="quiet-hint" className="hint">
            A reminder due in the quiet hours waits until they end, in the organization's time zone,{" "}
            <strong>{props.timeZone ?? "…"}</strong> (<Link to="/settings">change it in Organization settings</Link>). An end before the start
            spans midnight.
          </p>
          <ErrorList id="quiet-errors" errors={quietErrors} />
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={form.skip} onChange={(e) => set({ skip: e.target.checked })} /> Stop reminding a person whose invitation
          bounced, was blocked, dropped or reported as spam
        </label>
        <p className="hint">People → Individuals then says why their reminders stopped. Fix the address, or set a password; a resend starts them again.</p>
        <div className="row">
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
    </section>
  );
}

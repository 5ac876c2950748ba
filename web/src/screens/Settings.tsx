import { useState, type FormEvent } from "react";

import { abilities, useMe, useOrganization, useUpdateOrganization, type Organization } from "../api/hooks";
import { Loading } from "../kit/Loading";
import { Field } from "../kit/Field";
import { formatDateTime } from "../kit/format";
import { EMAIL_LOCALES, LIFETIMES, lifetimeLabel, type EmailLocale } from "../kit/locales";
import { Notice, ProblemNotice, fieldErrors } from "../kit/Notice";

/** Every IANA time zone the browser knows, for the time zone field's suggestions. */
const TIME_ZONES: string[] = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

/**
 * The organization's settings: people managers read them, owners and
 * admins change them. They apply from now on: invitations already sent
 * keep their expiry, people keep their language.
 */
export function Settings() {
  const me = useMe();
  const org = useOrganization();

  if (!me.data || (!org.data && !org.error)) return <Loading />;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">Settings</p>
          <h1>Organization settings</h1>
        </div>
      </header>
      <ProblemNotice error={org.error} />
      {org.data && <OrganizationForm stored={org.data} canEdit={abilities(me.data).managesOrganization} />}
    </div>
  );
}

/**
 * The settings' form, started from the stored organization when it first
 * shows: a later answer for the organization does not overwrite what is
 * being typed; a save shows what the API stored.
 */
function OrganizationForm(props: { stored: Organization; canEdit: boolean }) {
  const { stored, canEdit } = props;
  const update = useUpdateOrganization();
  const [name, setName] = useState(stored.name);
  const [ttl, setTTL] = useState(stored.invite_ttl);
  const [locale, setLocale] = useState<EmailLocale>(stored.default_locale);
  const [zone, setZone] = useState(stored.time_zone);
  const [saved, setSaved] = useState(false);
  const lifetimes = LIFETIMES.some((l) => l.hours === ttl) ? LIFETIMES : [...LIFETIMES, { hours: ttl, label: lifetimeLabel(ttl) }];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    update.mutate(
      { name: name.trim(), invite_ttl: ttl, default_locale: locale, time_zone: zone.trim() },
      {
        onSuccess: (org) => {
          setName(org.name);
          setTTL(org.invite_ttl);
          setLocale(org.default_locale);
          setZone(org.time_zone);
          setSaved(true);
        },
      },
    );
  };
  const fieldsOf = ["name", "invite_ttl", "default_locale", "time_zone"];
  const general = update.error && fieldsOf.every((f) => fieldErrors(update.error, f).length === 0) ? update.error : null;

  return (
    <section className="card" aria-labelledby="org-heading">
      <h2 id="org-heading">{stored.name}</h2>
      {!canEdit && <Notice kind="info">Only owners and admins change these settings.</Notice>}
      <div aria-live="polite">{saved && <Notice kind="success">Saved. New invitations and new people use these settings.</Notice>}</div>
      <ProblemNotice error={general} />
      <form onSubmit={submit} className="stack" aria-label="Organization settings">
        <Field label="Name" value={name} required maxLength={200} disabled={!canEdit} onChange={(e) => setName(e.target.value)} errors={fieldErrors(update.error, "name")} />
        <div className="field">
          <label htmlFor="org-ttl">Invitation links are valid for</label>
          <select id="org-ttl" value={ttl} disabled={!canEdit} onChange={(e) => setTTL(Number(e.target.value))} aria-describedby="org-ttl-hint">
            {lifetimes.map((l) => (
              <option key={l.hours} value={l.hours}>
                {l.label}
              </option>
            ))}
          </select>
          <p id="org-ttl-hint" className="hint">
            Unless a single invitation is given another lifetime. Invitations already sent keep theirs.
          </p>
        </div>
        <div className="field">
          <label htmlFor="org-locale">Default language</label>
          <select id="org-locale" value={locale} disabled={!canEdit} onChange={(e) => setLocale(e.target.value as EmailLocale)} aria-describedby="org-locale-hint">
            {EMAIL_LOCALES.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
          <p id="org-locale-hint" className="hint">
            The language of people added without one, and of the emails of people whose language has none.
          </p>
        </div>
        <Field
          label="Time zone"
          value={zone}
          required
          disabled={!canEdit}
          list="time-zones"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setZone(e.target.value)}
          hint="The IANA time zone in which emails show dates, such as Europe/Berlin."
          errors={fieldErrors(update.error, "time_zone")}
        />
        <datalist id="time-zones">
          {TIME_ZONES.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        {canEdit && (
          <div className="row">
            <button type="submit" className="button button-primary" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save"}
            </button>
          </div>
        )}
      </form>
      <p className="muted small">Last changed {formatDateTime(stored.updated_at)}.</p>
    </section>
  );
}

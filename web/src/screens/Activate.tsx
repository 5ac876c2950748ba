import { ProblemError, type Schemas } from "@invited/client";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";

import { api, adopt, call, rememberOrganization } from "../api/session";
import { Field } from "../kit/Field";
import { fieldErrors } from "../kit/Notice";
import { bestLocale, languageOf, t, type MessageKey } from "../i18n/messages";

type Details = Schemas["InviteDetails"];

type View =
  | { kind: "checking" }
  | { kind: "form"; details: Details }
  | { kind: "done"; details: Details; signedIn: boolean }
  | { kind: "expired"; renewable: boolean }
  | { kind: "renewed" }
  | { kind: "revoked"; superseded: boolean }
  | { kind: "accepted" }
  | { kind: "invalid" }
  | { kind: "error"; rateLimited: boolean };

/** What a failed verify or accept means for the person holding the link. */
function viewOf(err: unknown): View {
  if (!(err instanceof ProblemError)) return { kind: "error", rateLimited: false };
  switch (err.code) {
    case "invite_not_found":
      return { kind: "invalid" };
    case "invite_expired":
      return { kind: "expired", renewable: err.problem.renewable === true };
    case "invite_revoked":
      return { kind: "revoked", superseded: err.problem.reason === "superseded" };
    case "invite_accepted":
      return { kind: "accepted" };
    default:
      return { kind: "error", rateLimited: err.code === "rate_limited" };
  }
}

/**
 * The activation page, /activate?token=…. Opening it consumes nothing
 * (mail scanners open links); only the form's submission does. The token
 * leaves the address bar as soon as it is read, so it is neither
 * bookmarked nor shared by accident.
 */
export function Activate() {
  const token = useRef<string | null>(null);
  const [view, setView] = useState<View>({ kind: "checking" });
  // The invitee's language where the catalogue has it, else the organization's, else the browser's.
  const locale =
    view.kind === "form" || view.kind === "done"
      ? bestLocale([view.details.locale, view.details.organization.default_locale, navigator.language])
      : bestLocale([navigator.language]);
  const m = (key: MessageKey, params?: Record<string, string>) => t(locale, key, params);

  useEffect(() => {
    document.documentElement.lang = languageOf(locale);
  }, [locale]);

  useEffect(() => {
    if (token.current === null) {
      token.current = new URLSearchParams(window.location.search).get("token") ?? "";
      window.history.replaceState(window.history.state, "", "/activate");
    }
    const tok = token.current;
    if (!tok) {
      setView({ kind: "invalid" });
      return;
    }
    let live = true;
    call(() => api.POST("/invites/verify", { body: { token: tok } })).then(
      (details) => live && setView({ kind: "form", details }),
      (err: unknown) => live && setView(viewOf(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  let body: ReactNode;
  switch (view.kind) {
    case "checking":
      body = <p role="status">{m("activate.checking")}</p>;
      break;
    case "form":
      body = <ActivationForm details={view.details} token={token.current ?? ""} m={m} onDone={(signedIn) => setView({ kind: "done", details: view.details, signedIn })} onFailed={(err) => setView(viewOf(err))} />;
      break;
    case "done":
      body = (
        <Outcome title={m("activate.done.title")} tone="success">
          {view.signedIn ? (
            <>
              <p>{m("activate.done.body", { name: view.details.first_name || view.details.email })}</p>
              <a className="button button-primary" href="/">
                {m("activate.done.open")}
              </a>
            </>
          ) : (
            <p>{m("activate.done.signIn", { email: view.details.email })}</p>
          )}
        </Outcome>
      );
      break;
    case "expired":
      body = (
        <Outcome title={m("activate.expired.title")} tone="warning">
          {view.renewable ? (
            <>
              <p>{m("activate.expired.body")}</p>
              <RenewButton token={token.current ?? ""} m={m} onDone={() => setView({ kind: "renewed" })} onFailed={(err) => setView(viewOf(err))} />
            </>
          ) : (
            <p>{m("activate.expiredFinal.body")}</p>
          )}
        </Outcome>
      );
      break;
    case "renewed":
      body = (
        <Outcome title={m("activate.expired.title")} tone="success">
          <p role="status">{m("activate.expired.sent")}</p>
        </Outcome>
      );
      break;
    case "revoked":
      body = (
        <Outcome title={m("activate.revoked.title")} tone="warning">
          <p>{m(view.superseded ? "activate.revoked.superseded" : "activate.revoked.other")}</p>
        </Outcome>
      );
      break;
    case "accepted":
      body = (
        <Outcome title={m("activate.accepted.title")} tone="info">
          <p>{m("activate.accepted.body")}</p>
          <a className="button button-primary" href="/sign-in">
            {m("activate.accepted.signIn")}
          </a>
        </Outcome>
      );
      break;
    case "invalid":
      body = (
        <Outcome title={m("activate.invalid.title")} tone="warning">
          <p>{m("activate.invalid.body")}</p>
        </Outcome>
      );
      break;
    case "error":
      body = (
        <Outcome title={m("activate.error.title")} tone="warning">
          <p>{m(view.rateLimited ? "activate.rateLimited" : "activate.error.body")}</p>
        </Outcome>
      );
      break;
  }
  return (
    <main className="activate">
      <div className="card card-narrow activate-card">
        <p className="activate-brand" aria-hidden="true">
          invited · {m("activate.poweredBy")}
        </p>
        {body}
      </div>
    </main>
  );
}

function Outcome(props: { title: string; tone: "success" | "warning" | "info"; children: ReactNode }) {
  return (
    <section className={`outcome outcome-${props.tone}`} aria-labelledby="outcome-title">
      <h1 id="outcome-title">{props.title}</h1>
      {props.children}
    </section>
  );
}

type Lookup = (key: MessageKey, params?: Record<string, string>) => string;

function ActivationForm(props: { details: Details; token: string; m: Lookup; onDone: (signedIn: boolean) => void; onFailed: (err: unknown) => void }) {
  const { details, m } = props;
  const [first, setFirst] = useState(details.first_name);
  const [last, setLast] = useState(details.last_name);
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = repeat !== "" && repeat !== password;
  const name = `${details.first_name} ${details.last_name}`.trim();

  const accept = (cookie: boolean) =>
    call(() =>
      api.POST("/invites/accept", {
        body: {
          token: props.token,
          password,
          refresh_token_cookie: cookie,
          ...(first !== details.first_name ? { first_name: first } : {}),
          ...(last !== details.last_name ? { last_name: last } : {}),
        },
      }),
    );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      let signedIn = true;
      const res = await accept(true).catch(async (err: unknown) => {
        // Served over plain HTTP away from localhost: no session cookie, so no sign-in here.
        if (err instanceof ProblemError && err.fieldErrors("refresh_token_cookie").length) {
          signedIn = false;
          return accept(false);
        }
        throw err;
      });
      rememberOrganization(details.organization.slug, details.email);
      // A deployment whose sign-in is another identity provider's answers no session.
      if (signedIn && res.access_token && res.expires_in) adopt({ access_token: res.access_token, expires_in: res.expires_in });
      else signedIn = false;
      props.onDone(signedIn);
    } catch (err) {
      if (err instanceof ProblemError && (err.status === 404 || err.status === 410)) props.onFailed(err);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const other = error instanceof ProblemError && !error.fieldErrors().length ? error : null;
  return (
    <section aria-labelledby="activate-title">
      <h1 id="activate-title">{m("activate.title", { organization: details.organization.name })}</h1>
      <p>
        {name
          ? m("activate.greeting", { name, organization: details.organization.name })
          : m("activate.greetingNoName", { organization: details.organization.name })}
      </p>
      {other && (
        <p className="notice notice-error" role="alert">
          {other.code === "rate_limited" ? m("activate.rateLimited") : other.problem.detail}
        </p>
      )}
      <form onSubmit={submit} className="stack">
        <Field label={m("activate.email")} type="email" value={details.email} readOnly autoComplete="username" />
        <div className="row row-fields">
          <Field label={m("activate.firstName")} value={first} maxLength={100} autoComplete="given-name" onChange={(e) => setFirst(e.target.value)} errors={fieldErrors(error, "first_name")} />
          <Field label={m("activate.lastName")} value={last} maxLength={100} autoComplete="family-name" onChange={(e) => setLast(e.target.value)} errors={fieldErrors(error, "last_name")} />
        </div>
        <Field
          label={m("activate.password")}
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={m("activate.passwordHint")}
          errors={fieldErrors(error, "password")}
        />
        <Field
          label={m("activate.confirm")}
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          errors={mismatch ? [m("activate.mismatch")] : []}
        />
        <button type="submit" className="button button-primary button-wide" disabled={busy || mismatch}>
          {busy ? m("activate.submitting") : m("activate.submit")}
        </button>
        <p className="muted small">{m("activate.expires", { date: new Date(details.expires_at).toLocaleString(details.locale || undefined) })}</p>
      </form>
    </section>
  );
}

function RenewButton(props: { token: string; m: Lookup; onDone: () => void; onFailed: (err: unknown) => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="button button-primary"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        call(() => api.POST("/invites/renew", { body: { token: props.token } })).then(props.onDone, (err: unknown) => {
          setBusy(false);
          props.onFailed(err);
        });
      }}
    >
      {busy ? props.m("activate.expired.renewing") : props.m("activate.expired.renew")}
    </button>
  );
}

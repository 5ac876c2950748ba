import { useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";

import { useSession } from "../api/hooks";
import { rememberOrganization, rememberedOrganization, signIn, type EndReason } from "../api/session";
import { Field } from "../kit/Field";
import { Notice, ProblemNotice } from "../kit/Notice";

const ENDED: Record<EndReason, { kind: "info" | "warning"; text: string }> = {
  signed_out: { kind: "info", text: "You signed out." },
  expired: { kind: "info", text: "Your session has ended. Sign in again to continue." },
  reused: {
    kind: "warning",
    text: "For your security your session was ended: a sign-in token of it was used twice, which happens when someone else has a copy of it. Sign in again; if this keeps happening, change your password.",
  },
  password_changed: { kind: "info", text: "Your password was changed. Sign in with the new one." },
};

/** Sign-in: organization, email, password. */
export function SignIn() {
  const s = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [organization, setOrganization] = useState(params.get("organization") ?? rememberedOrganization());
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const next = params.get("next");
  const target = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";

  if (s.status === "signed_in" && !busy) return <Navigate to={target} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(organization.trim(), email.trim(), password);
      rememberOrganization(organization.trim(), email.trim());
      navigate(target, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const ended = s.ended ? ENDED[s.ended] : undefined;
  return (
    <main className="centered">
      <div className="card card-narrow">
        <h1 className="card-title">Sign in to invited</h1>
        {ended && <Notice kind={ended.kind}>{ended.text}</Notice>}
        <ProblemNotice error={error} />
        <form onSubmit={submit} className="stack">
          <Field
            label="Organization"
            name="organization"
            autoComplete="organization"
            required
            value={organization}
            onChange={(e) => setOrganization(e.target.value)}
            hint="Your organization's short name, such as acme."
          />
          <Field label="Email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}

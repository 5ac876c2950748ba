// The signed-in session. The access token lives in this tab's memory only;
// the refresh token is an HttpOnly cookie the page's scripts never see,
// scoped to /auth. Refreshes are serialized across the browser's tabs
// (Web Locks): two tabs presenting one refresh token at once would look
// like a stolen token to the server, which ends the session.
import { createInvitedClient, ProblemError, toProblemError, unwrap, type Schemas } from "@invited/client";

type TokenResponse = Schemas["TokenResponse"];

/** Why the last session ended, for the sign-in page to say. */
export type EndReason = "signed_out" | "expired" | "reused" | "password_changed";

interface SessionState {
  status: "unknown" | "signed_out" | "signed_in";
  passwordChangeRequired: boolean;
  ended?: EndReason;
}

interface Tokens {
  access: string;
  expiresAt: number;
  passwordChangeRequired: boolean;
}

let tokens: Tokens | null = null;
let state: SessionState = { status: "unknown", passwordChangeRequired: false };
const listeners = new Set<() => void>();

function publish(next: SessionState) {
  state = next;
  for (const l of listeners) l();
}

export const session = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  get(): SessionState {
    return state;
  },
};

// The client for calls that manage the session itself: no bearer token.
const anonymous = createInvitedClient();

/** The client every screen uses: it sends the access token, renewed when it is about to expire. */
export const api = createInvitedClient({ token: accessToken });

async function accessToken(): Promise<string | undefined> {
  if (tokens && Date.now() > tokens.expiresAt - 30_000) await refresh();
  return tokens?.access;
}

function keep(res: TokenResponse) {
  tokens = {
    access: res.access_token,
    expiresAt: Date.now() + res.expires_in * 1000,
    passwordChangeRequired: res.password_change_required,
  };
  publish({ status: "signed_in", passwordChangeRequired: res.password_change_required });
}

function forget(ended?: EndReason) {
  tokens = null;
  publish({ status: "signed_out", passwordChangeRequired: false, ...(ended ? { ended } : {}) });
}

/** Signs in and keeps the session; throws the API's problem on failure. */
export async function signIn(organization: string, email: string, password: string): Promise<void> {
  keep(await unwrap(anonymous.POST("/auth/token", { body: { organization, email, password, refresh_token_cookie: true } })));
}

/** Keeps the session an accepted invitation started. */
export function adopt(res: { access_token: string; expires_in: number }): void {
  keep({ ...res, token_type: "Bearer", password_change_required: false, refresh_token_expires_at: "" });
}

let inFlight: Promise<boolean> | null = null;

/** Renews the access token with the refresh cookie; false when the session is over. */
function refresh(): Promise<boolean> {
  inFlight ??= withLock(async () => {
    try {
      keep(await unwrap(anonymous.POST("/auth/refresh", { body: {} })));
      return true;
    } catch (err) {
      const p = toProblemError(err);
      if (p.status === 401) forget(p.code === "refresh_token_reused" ? "reused" : state.status === "signed_in" ? "expired" : undefined);
      else if (state.status === "unknown") forget();
      return false;
    }
  }).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  if (typeof navigator !== "undefined" && navigator.locks) return navigator.locks.request("invited-refresh", fn);
  return fn();
}

/** Finds out, at start, whether the browser still holds a session. */
export function restore(): Promise<boolean> {
  return refresh();
}

/** Ends the session on the server and here. */
export async function signOut(): Promise<void> {
  try {
    await unwrap(anonymous.POST("/auth/logout", { body: {} }));
  } finally {
    forget("signed_out");
  }
}

/** After the user changed their password every session ended: sign in again with the new one. */
export async function renewAfterPasswordChange(email: string, password: string): Promise<void> {
  const { organization } = remembered();
  try {
    await signIn(organization, email, password);
  } catch {
    forget("password_changed"); // the sign-in page asks for the new password
  }
}

/**
 * Runs an API call; an expired access token is renewed once and the call
 * repeated. Failures throw a ProblemError.
 */
export async function call<D>(fn: () => Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  try {
    return await unwrap(fn());
  } catch (err) {
    const p = err instanceof ProblemError ? err : toProblemError(err);
    if (p.code === "unauthorized" && tokens && (await refresh())) return unwrap(fn());
    throw p;
  }
}

// The organization and email of the last sign-in, to prefill the form and
// to sign back in after a password change. Neither is a secret.
const REMEMBER = "invited.signin";

export function rememberOrganization(organization: string, email: string): void {
  try {
    localStorage.setItem(REMEMBER, JSON.stringify({ organization, email }));
  } catch {
    // Storage may be off (private mode); the form is just not prefilled.
  }
}

function remembered(): { organization: string; email: string } {
  try {
    const v = JSON.parse(localStorage.getItem(REMEMBER) ?? "{}") as { organization?: unknown; email?: unknown };
    return { organization: typeof v.organization === "string" ? v.organization : "", email: typeof v.email === "string" ? v.email : "" };
  } catch {
    return { organization: "", email: "" };
  }
}

export function rememberedOrganization(): string {
  return remembered().organization;
}

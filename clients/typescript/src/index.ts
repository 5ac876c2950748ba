// The invited API for TypeScript: the types generated from openapi.yaml
// (schema.d.ts) and openapi-fetch, with the bearer token and problem+json
// errors wired in. Everything a call takes and answers is typed by the
// contract.
import createClient, { type Client, type ClientOptions as FetchOptions } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** The contract's named schemas: `Schemas["User"]`, `Schemas["Invite"]`, … */
export type Schemas = components["schemas"];

/** An RFC 9457 problem, the body of every error answer. */
export type Problem = Schemas["Problem"];

/** One invalid field of a request, as a problem lists them. */
export type FieldError = NonNullable<Problem["errors"]>[number];

/** The stable codes clients switch on. */
export type ProblemCode = Problem["code"];

/** The typed client: `client.GET("/users", { params: { query: { status: ["invite_pending"] } } })`. */
export type InvitedClient = Client<paths>;

/** An error answer, thrown by {@link unwrap}. */
export class ProblemError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ProblemError";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): ProblemCode {
    return this.problem.code;
  }

  /** The field errors, all of them or those of one field. */
  fieldErrors(field?: string): FieldError[] {
    const all = this.problem.errors ?? [];
    return field === undefined ? all : all.filter((e) => e.field === field);
  }
}

/** Whether a value is a problem+json body. */
export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { status?: unknown }).status === "number"
  );
}

/**
 * Turns an answer that is not a problem into a ProblemError all the same
 * (a proxy's HTML 502, a network failure), so callers handle one type.
 */
export function toProblemError(error: unknown, response?: Response): ProblemError {
  if (error instanceof ProblemError) return error;
  if (isProblem(error)) return new ProblemError(error);
  const status = response?.status ?? 0;
  return new ProblemError({
    type: "about:blank",
    title: status ? `HTTP ${status}` : "Network error",
    status,
    detail: error instanceof Error ? error.message : status ? (response?.statusText ?? "") : "The service could not be reached.",
    code: status >= 500 || status === 0 ? "unavailable" : "invalid_request",
    request_id: response?.headers.get("X-Request-ID") ?? "",
  });
}

/** What an openapi-fetch call resolves to. */
interface Answer<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/**
 * Waits for a call and returns its data, or throws a ProblemError.
 *
 *     const users = await unwrap(client.GET("/users"));
 */
export async function unwrap<D>(call: Promise<Answer<D>>): Promise<D> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw toProblemError(error, response);
  return data as D;
}

/** Options of {@link createInvitedClient}. */
export interface ClientOptions {
  /** Where the API is: `https://people.example.com`; empty for the page's own origin. */
  baseUrl?: string;
  /** The access token to send, read before every request; undefined sends none. */
  token?: () => string | undefined | Promise<string | undefined>;
  /** A fetch implementation; default the global one. */
  fetch?: FetchOptions["fetch"];
  /** Whether browsers send cookies: "same-origin" by default (the refresh cookie). */
  credentials?: RequestCredentials;
}

/** Creates a typed client that sends `Authorization: Bearer <token>`. */
export function createInvitedClient(options: ClientOptions = {}): InvitedClient {
  const client = createClient<paths>({
    baseUrl: (options.baseUrl ?? "").replace(/\/+$/, ""),
    credentials: options.credentials ?? "same-origin",
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { token } = options;
  if (token) {
    client.use({
      async onRequest({ request }) {
        const t = await token();
        if (t && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${t}`);
        return request;
      },
    });
  }
  return client;
}

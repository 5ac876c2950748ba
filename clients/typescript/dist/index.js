// The invited API for TypeScript: the types generated from openapi.yaml
// (schema.d.ts) and openapi-fetch, with the bearer token and problem+json
// errors wired in. Everything a call takes and answers is typed by the
// contract.
import createClient from "openapi-fetch";
/** An error answer, thrown by {@link unwrap}. */
export class ProblemError extends Error {
    problem;
    constructor(problem) {
        super(problem.detail || problem.title);
        this.name = "ProblemError";
        this.problem = problem;
    }
    get status() {
        return this.problem.status;
    }
    get code() {
        return this.problem.code;
    }
    /** The field errors, all of them or those of one field. */
    fieldErrors(field) {
        const all = this.problem.errors ?? [];
        return field === undefined ? all : all.filter((e) => e.field === field);
    }
}
/** Whether a value is a problem+json body. */
export function isProblem(value) {
    return (typeof value === "object" &&
        value !== null &&
        typeof value.code === "string" &&
        typeof value.status === "number");
}
/**
 * Turns an answer that is not a problem into a ProblemError all the same
 * (a proxy's HTML 502, a network failure), so callers handle one type.
 */
export function toProblemError(error, response) {
    if (error instanceof ProblemError)
        return error;
    if (isProblem(error))
        return new ProblemError(error);
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
/**
 * Waits for a call and returns its data, or throws a ProblemError.
 *
 *     const users = await unwrap(client.GET("/users"));
 */
export async function unwrap(call) {
    const { data, error, response } = await call;
    if (error !== undefined || !response.ok)
        throw toProblemError(error, response);
    return data;
}
/** Creates a typed client that sends `Authorization: Bearer <token>`. */
export function createInvitedClient(options = {}) {
    const client = createClient({
        baseUrl: (options.baseUrl ?? "").replace(/\/+$/, ""),
        credentials: options.credentials ?? "same-origin",
        ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const { token } = options;
    if (token) {
        client.use({
            async onRequest({ request }) {
                const t = await token();
                if (t && !request.headers.has("Authorization"))
                    request.headers.set("Authorization", `Bearer ${t}`);
                return request;
            },
        });
    }
    return client;
}

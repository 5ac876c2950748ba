import { type Client, type ClientOptions as FetchOptions } from "openapi-fetch";
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
export declare class ProblemError extends Error {
    readonly problem: Problem;
    constructor(problem: Problem);
    get status(): number;
    get code(): ProblemCode;
    /** The field errors, all of them or those of one field. */
    fieldErrors(field?: string): FieldError[];
}
/** Whether a value is a problem+json body. */
export declare function isProblem(value: unknown): value is Problem;
/**
 * Turns an answer that is not a problem into a ProblemError all the same
 * (a proxy's HTML 502, a network failure), so callers handle one type.
 */
export declare function toProblemError(error: unknown, response?: Response): ProblemError;
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
export declare function unwrap<D>(call: Promise<Answer<D>>): Promise<D>;
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
export declare function createInvitedClient(options?: ClientOptions): InvitedClient;

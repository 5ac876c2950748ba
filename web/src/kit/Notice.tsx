import type { ReactNode } from "react";
import { ProblemError } from "@invited/client";

/** A message in the page: "alert" for failures (read out at once), "status" otherwise. */
export function Notice(props: { kind: "info" | "success" | "warning" | "error"; children: ReactNode; title?: string }) {
  return (
    <div className={`notice notice-${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.title && <strong className="notice-title">{props.title}</strong>}
      <div>{props.children}</div>
    </div>
  );
}

/** An API failure, worded by the API, with its request id for support. */
export function ProblemNotice(props: { error: unknown }) {
  if (!props.error) return null;
  const p = props.error instanceof ProblemError ? props.error.problem : undefined;
  return (
    <Notice kind="error" title={p?.title ?? "Something went wrong"}>
      <p>{p?.detail ?? String(props.error)}</p>
      {p?.request_id && <p className="muted small">Request id {p.request_id}</p>}
    </Notice>
  );
}

/** The messages of the field errors of a problem, for one field. */
export function fieldErrors(error: unknown, field: string): string[] {
  return error instanceof ProblemError ? error.fieldErrors(field).map((e) => e.message) : [];
}

import type { DeliveryStatus, PeopleFilter, Role, Status } from "../api/hooks";

const STATUSES: Status[] = ["invite_pending", "confirmed", "deactivated"];
const ROLES: Role[] = ["owner", "admin", "hr", "curator", "learner"];
const DELIVERIES: DeliveryStatus[] = ["queued", "sent", "delivered", "deferred", "bounced", "blocked", "dropped", "spam_report", "failed", "by_hand"];
const SORTS: PeopleFilter["sort"][] = ["-created_at", "created_at", "email", "-last_invited_at"];

function list<T extends string>(raw: string | null, allowed: readonly T[]): T[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s): s is T => (allowed as readonly string[]).includes(s));
}

/** The people filter a URL's query holds: ?status=invite_pending&q=…&role=…&delivery=…&sort=…. */
export function filterFromURL(p: URLSearchParams): PeopleFilter {
  const sort = p.get("sort") as PeopleFilter["sort"] | null;
  return {
    status: list(p.get("status"), STATUSES),
    q: p.get("q") ?? "",
    role: list(p.get("role"), ROLES),
    delivery: list(p.get("delivery"), DELIVERIES),
    sort: sort && SORTS.includes(sort) ? sort : "-created_at",
  };
}

/** The query that bookmarks a filter; defaults are left out. */
export function filterToURL(f: PeopleFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (f.status.length) p.set("status", f.status.join(","));
  if (f.q) p.set("q", f.q);
  if (f.role.length) p.set("role", f.role.join(","));
  if (f.delivery.length) p.set("delivery", f.delivery.join(","));
  if (f.sort !== "-created_at") p.set("sort", f.sort);
  return p;
}

export { DELIVERIES, ROLES, SORTS, STATUSES };

// The API as React hooks: one place that knows which call feeds which
// screen and what to refresh after a change. A new screen adds its hooks
// here.
import type { Schemas } from "@invited/client";
import { ProblemError } from "@invited/client";
import { QueryClient, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useSyncExternalStore } from "react";

import { api, call, session } from "./session";

export type User = Schemas["User"];
type Job = Schemas["Job"];
export type Status = User["status"];
export type Role = User["role"];
export type DeliveryStatus = Schemas["Delivery"]["status"];
export type Organization = Schemas["Organization"];

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // A problem the client caused will not go away by asking again.
      retry: (failures, err) => !(err instanceof ProblemError && err.status >= 400 && err.status < 500) && failures < 2,
    },
  },
});

export function useSession() {
  return useSyncExternalStore(session.subscribe, session.get);
}

export function useMe() {
  const s = useSession();
  return useQuery({
    queryKey: ["me"],
    queryFn: () => call(() => api.GET("/me")),
    enabled: s.status === "signed_in",
    staleTime: 60_000,
  });
}

/** What the signed-in person may do in the console (rule R5). */
export function abilities(me: User | undefined) {
  const role = me?.role;
  const managesPeople =
    role === "owner" || role === "admin" || role === "hr" || (role === "curator" && (me?.permissions ?? []).includes("people"));
  // Owners and admins change the organization's settings: its reminders, its webhook endpoints.
  const managesOrganization = role === "owner" || role === "admin";
  return {
    managesPeople,
    needsPeoplePermission: role === "curator" && !managesPeople,
    managesOrganization,
    managesWebhooks: managesOrganization,
  };
}

export const ROLE_RANK: Record<Role, number> = { owner: 4, admin: 3, hr: 2, curator: 1, learner: 0 };

export function useCounts() {
  return useQuery({ queryKey: ["users", "counts"], queryFn: () => call(() => api.GET("/users/counts")) });
}

export interface PeopleFilter {
  status: Status[];
  q: string;
  role: Role[];
  delivery: DeliveryStatus[];
  sort: "-created_at" | "created_at" | "email" | "-last_invited_at";
}

const PAGE_SIZE = 50;

export function usePeople(f: PeopleFilter) {
  return useInfiniteQuery({
    queryKey: ["users", "list", f],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(() =>
        api.GET("/users", {
          params: {
            query: {
              ...(f.status.length ? { status: f.status } : {}),
              ...(f.q ? { q: f.q } : {}),
              ...(f.role.length ? { role: f.role } : {}),
              ...(f.delivery.length ? { delivery_status: f.delivery } : {}),
              sort: f.sort,
              limit: PAGE_SIZE,
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
  });
}

export function useInviteHistory(userId: string) {
  return useQuery({
    queryKey: ["users", userId, "invites"],
    queryFn: () => call(() => api.GET("/users/{id}/invites", { params: { path: { id: userId } } })),
  });
}

/** A change to people: every list, count and history shows it at once. */
function usePeopleMutation<A, R>(fn: (args: A) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: ["users"] }) });
}

export function useResendInvite() {
  return usePeopleMutation((id: string) =>
    call(() => api.POST("/users/{id}/resend-invite", { params: { path: { id }, header: { "Idempotency-Key": crypto.randomUUID() } } })),
  );
}

/** Voids the user's live invitation link; they stay invite-pending. */
export function useRevokeInvite() {
  return usePeopleMutation((id: string) => call(() => api.POST("/users/{id}/revoke-invite", { params: { path: { id } } })));
}

/**
 * A fresh invitation whose link the manager hands over: no email. No
 * Idempotency-Key: a replay would answer without the link, and every click
 * is meant as a new link.
 */
export function useInviteLink() {
  return usePeopleMutation((a: { id: string; expiresIn?: number }) =>
    call(() =>
      api.POST("/users/{id}/invite-link", {
        params: { path: { id: a.id }, query: a.expiresIn ? { expires_in: a.expiresIn } : {} },
      }),
    ),
  );
}

export function useOrganization() {
  return useQuery({ queryKey: ["organization"], queryFn: () => call(() => api.GET("/organization")) });
}

export function useUpdateOrganization() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["UpdateOrganizationRequest"]) => call(() => api.PATCH("/organization", { body })),
    onSuccess: (org) => qc.setQueryData(["organization"], org),
  });
}

export type ReminderPolicy = Schemas["ReminderPolicy"];
export type ReminderPolicyRequest = Schemas["PutReminderPolicyRequest"];

/** The reminder policy: owners and admins only, so asked only for them. */
export function useReminderPolicy(enabled = true) {
  return useQuery({
    queryKey: ["organization", "reminders"],
    enabled,
    queryFn: () => call(() => api.GET("/organization/reminders")),
  });
}

/**
 * Replaces the reminder policy. The invite-pending people are rescheduled
 * by it, so every list and person shows their new next reminder.
 */
export function useSaveReminderPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ReminderPolicyRequest) => call(() => api.PUT("/organization/reminders", { body })),
    onSuccess: (policy) => {
      qc.setQueryData(["organization", "reminders"], policy);
      return qc.invalidateQueries({ queryKey: ["users"] });
    },
  });
}

export function useSetPassword() {
  return usePeopleMutation((a: { id: string; password?: string; generate?: boolean; temporary: boolean }) =>
    call(() =>
      api.PUT("/users/{id}/password", {
        params: { path: { id: a.id } },
        body: a.generate ? { generate: true, temporary: a.temporary } : { password: a.password ?? "", temporary: a.temporary },
      }),
    ),
  );
}

export function useUpdateUser() {
  return usePeopleMutation((a: { id: string; email?: string; first_name?: string; last_name?: string; locale?: string }) => {
    const { id, ...body } = a;
    return call(() => api.PATCH("/users/{id}", { params: { path: { id } }, body }));
  });
}

export function useCreateUser() {
  return usePeopleMutation((body: Schemas["CreateUserRequest"]) =>
    call(() => api.POST("/users", { params: { header: { "Idempotency-Key": crypto.randomUUID() } }, body })),
  );
}

export function useDeactivate() {
  return usePeopleMutation((a: { id: string; deactivate: boolean }) =>
    a.deactivate
      ? call(() => api.POST("/users/{id}/deactivate", { params: { path: { id: a.id } } }))
      : call(() => api.POST("/users/{id}/reactivate", { params: { path: { id: a.id } } })),
  );
}

export type BulkSelection = { user_ids: string[] } | { filter: Schemas["BulkResendFilter"] };

export function previewBulkResend(sel: BulkSelection) {
  return call(() => api.POST("/users/resend-invites", { body: { ...sel, dry_run: true } })) as Promise<Schemas["BulkResendPreview"]>;
}

export function startBulkResend(sel: BulkSelection) {
  return call(() =>
    api.POST("/users/resend-invites", { params: { header: { "Idempotency-Key": crypto.randomUUID() } }, body: sel }),
  ) as Promise<Schemas["JobAccepted"]>;
}

/** Follows a job until it finishes, a second at a time. */
export function useJob(id: string | undefined) {
  return useQuery({
    queryKey: ["jobs", id],
    enabled: !!id,
    queryFn: () =>
      call(() => api.GET("/jobs/{id}", { params: { path: { id: id ?? "" }, query: { items_limit: 1000 } } })),
    refetchInterval: (q) => (q.state.data && !jobRunning(q.state.data) ? false : 1000),
  });
}

export function jobRunning(j: Job): boolean {
  return j.state === "queued" || j.state === "running";
}

export function useCancelJob() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => call(() => api.POST("/jobs/{id}/cancel", { params: { path: { id } } })),
    onSuccess: (_, id) => qc.invalidateQueries({ queryKey: ["jobs", id] }),
  });
}

/** Sends a CSV file to the importer: a dry run, or the real thing. */
export function importCSV(csv: string, opts: { dryRun: boolean; sendInvites: boolean }) {
  return call(() =>
    api.POST("/users/import", {
      params: {
        query: { dry_run: opts.dryRun, send_invites: opts.sendInvites },
        header: opts.dryRun ? {} : { "Idempotency-Key": crypto.randomUUID() },
      },
      // The contract types the JSON form of the body; this is the CSV one.
      body: csv as unknown as Schemas["ImportRequest"],
      bodySerializer: (b: unknown) => b as string,
      headers: { "Content-Type": "text/csv" },
    }),
  ) as Promise<Schemas["ImportReport"] | Schemas["JobAccepted"]>;
}

interface AuditFilter {
  action: string;
  user: string;
}

export function useAudit(f: AuditFilter) {
  return useInfiniteQuery({
    queryKey: ["audit", f],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(() =>
        api.GET("/audit-events", {
          params: {
            query: {
              limit: 50,
              ...(f.action ? { action: f.action as Schemas["AuditEvent"]["action"] } : {}),
              ...(f.user ? { target_user_id: f.user } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
  });
}

export function useUser(id: string | undefined) {
  return useQuery({
    queryKey: ["users", "one", id],
    enabled: !!id,
    queryFn: () => call(() => api.GET("/users/{id}", { params: { path: { id: id ?? "" } } })),
  });
}

export function useChangeOwnPassword() {
  return useMutation({
    mutationFn: (a: { current_password: string; new_password: string }) => call(() => api.PUT("/me/password", { body: a })),
  });
}

export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type WebhookEvent = Exclude<WebhookEndpoint["events"][number], "*">;

/** The cache keys of the webhook screens: what a change refreshes names exactly what it changed. */
const webhookKeys = {
  endpoints: ["webhooks", "endpoints"] as const,
  /** An endpoint's deliveries: the newest page, and under it the list with its older pages. */
  deliveries: (endpointId: string) => ["webhooks", "deliveries", endpointId] as const,
  list: (endpointId: string) => ["webhooks", "deliveries", endpointId, "list"] as const,
  newest: (endpointId: string) => ["webhooks", "deliveries", endpointId, "newest"] as const,
  delivery: (id: string) => ["webhooks", "delivery", id] as const,
};

export function useWebhookEndpoints(enabled = true) {
  return useQuery({
    queryKey: webhookKeys.endpoints,
    enabled,
    queryFn: () => call(() => api.GET("/webhook-endpoints")),
  });
}

/** A change to the endpoints: their list shows it at once. */
function useEndpointsMutation<A, R>(fn: (args: A) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.endpoints }) });
}

export function useCreateWebhookEndpoint() {
  return useEndpointsMutation((body: Schemas["CreateWebhookEndpointRequest"]) => call(() => api.POST("/webhook-endpoints", { body })));
}

/** Changes an endpoint; one enabled again sends what was pending, so its newest deliveries are asked again too. */
export function useUpdateWebhookEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (a: { id: string } & Schemas["UpdateWebhookEndpointRequest"]) => {
      const { id, ...body } = a;
      return call(() => api.PATCH("/webhook-endpoints/{id}", { params: { path: { id } }, body }));
    },
    onSuccess: (_, a) =>
      Promise.all([
        qc.invalidateQueries({ queryKey: webhookKeys.endpoints }),
        a.enabled ? qc.invalidateQueries({ queryKey: webhookKeys.newest(a.id) }) : undefined,
      ]),
  });
}

/** Deletes an endpoint with its deliveries: they leave the cache with it. */
export function useDeleteWebhookEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => call(() => api.DELETE("/webhook-endpoints/{id}", { params: { path: { id } } })),
    onSuccess: (_, id) => {
      qc.removeQueries({ queryKey: webhookKeys.deliveries(id) });
      return qc.invalidateQueries({ queryKey: webhookKeys.endpoints });
    },
  });
}

export function useRotateWebhookSecret() {
  return useEndpointsMutation((id: string) => call(() => api.POST("/webhook-endpoints/{id}/rotate-secret", { params: { path: { id } } })));
}

/** A new delivery at the top of an endpoint's list: its newest page is asked again, nothing else. */
function useDeliveryMutation(fn: (id: string) => Promise<{ delivery: WebhookDelivery }>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (res) => qc.invalidateQueries({ queryKey: webhookKeys.newest(res.delivery.endpoint_id) }),
  });
}

export function useTestWebhookEndpoint() {
  return useDeliveryMutation((id: string) => call(() => api.POST("/webhook-endpoints/{id}/test", { params: { path: { id } } })));
}

export function useReplayWebhookDelivery() {
  return useDeliveryMutation((id: string) => call(() => api.POST("/webhook-deliveries/{id}/replay", { params: { path: { id } } })));
}

type DeliveryPage = Schemas["WebhookDeliveryList"];

function deliveriesPage(endpointId: string, cursor: string | undefined): Promise<DeliveryPage> {
  return call(() =>
    api.GET("/webhook-endpoints/{id}/deliveries", {
      params: { path: { id: endpointId }, query: { limit: 25, ...(cursor ? { cursor } : {}) } },
    }),
  );
}

/**
 * An endpoint's deliveries, newest first. What can change is at the top:
 * new deliveries arrive there, and a pending one changes as it is
 * attempted. So only the newest page is asked again, every 2 seconds
 * while one of it is pending and every 15 otherwise (not while the page
 * is hidden); the older pages, loaded by fetchNextPage, are history and
 * are asked again only by refresh.
 *
 * The list shows the newest page, then the rows of the loaded pages it
 * does not hold: a row pushed off the newest page by new ones stays,
 * below them. When more deliveries arrived than a page holds, nothing
 * joins the newest page to the rows loaded before; the list starts again
 * from the newest page.
 */
export function useWebhookDeliveries(endpointId: string) {
  const qc = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: webhookKeys.list(endpointId),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const page = await deliveriesPage(endpointId, pageParam);
      // The list's first page is the newest page as of now.
      if (!pageParam) qc.setQueryData(webhookKeys.newest(endpointId), page);
      return page;
    },
    getNextPageParam: (last) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
    staleTime: Infinity,
  });
  const newest = useQuery({
    queryKey: webhookKeys.newest(endpointId),
    queryFn: () => deliveriesPage(endpointId, undefined),
    enabled: list.isSuccess,
    staleTime: 2000,
    refetchInterval: (q) => (q.state.data?.data.some((d) => d.status === "pending") ? 2000 : 15_000),
  });
  const loaded = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const top = newest.data;
  const joined = !top || !top.has_more || loaded.length === 0 || top.data.some((d) => loaded.some((l) => l.id === d.id));
  useEffect(() => {
    if (!joined) void qc.resetQueries({ queryKey: webhookKeys.list(endpointId), exact: true });
  }, [joined, qc, endpointId]);
  const rows = useMemo(() => {
    if (!top) return loaded;
    // A newest page that is the whole list, or that nothing joins to the rows loaded before, is the list.
    if (!top.has_more || !joined) return top.data;
    const shown = new Set(top.data.map((d) => d.id));
    return [...top.data, ...loaded.filter((d) => !shown.has(d.id))];
  }, [top, loaded, joined]);
  return {
    rows,
    error: list.error ?? newest.error,
    isPending: list.isPending,
    isFetching: list.isFetching || newest.isFetching,
    hasNextPage: joined && list.hasNextPage,
    isFetchingNextPage: list.isFetchingNextPage,
    fetchNextPage: () => void list.fetchNextPage(),
    /** Every loaded page asked again. */
    refresh: () => void list.refetch(),
  };
}

export function useWebhookDelivery(id: string | undefined) {
  return useQuery({
    queryKey: webhookKeys.delivery(id ?? ""),
    enabled: !!id,
    queryFn: () => call(() => api.GET("/webhook-deliveries/{id}", { params: { path: { id: id ?? "" } } })),
  });
}

export type DomainHealth = Schemas["DomainHealth"];

/** The recipient domains of the organization's invitations, the worst first. */
export function useDeliveryDomains(opts: { problemsOnly?: boolean; enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ["delivery", "domains", opts.problemsOnly ?? false],
    enabled: opts.enabled ?? true,
    staleTime: 60_000,
    queryFn: () =>
      call(() =>
        api.GET("/delivery/domains", {
          params: { query: opts.problemsOnly ? { verdict: ["blocking", "invalid", "degraded"] } : { limit: 1000 } },
        }),
      ),
  });
}

export type FunnelGrouping = NonNullable<Schemas["InvitationFunnel"]["group_by"]>;

export function useInvitationFunnel(q: { from?: string; to?: string; groupBy?: FunnelGrouping }) {
  return useQuery({
    queryKey: ["insights", "invitations", q],
    queryFn: () =>
      call(() =>
        api.GET("/insights/invitations", {
          params: { query: { ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), ...(q.groupBy ? { group_by: q.groupBy } : {}) } },
        }),
      ),
  });
}

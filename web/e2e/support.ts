// What the browser suite shares: the site under test (from the Go
// harness, web/e2e/harness_test.go), the fake SendGrid's mailbox, a
// browser, and the checks every page gets: no script error, no
// Content-Security-Policy violation, and an axe-core scan.
import AxeBuilder from "@axe-core/playwright";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export interface Person {
  email: string;
  name: string;
  password?: string;
  link?: string;
}

export interface Fixtures {
  org: string;
  owner: Person;
  curator: Person;
  learner: Person;
  quick_start: Person;
  bounced: Person;
  typed: Person;
  generated: Person;
  reused: Person;
  hr: Person;
  blocked: Person[];
  expired: Person;
  handed: Person;
  revoked: Person;
  bulk_query: string;
  bulk_count: number;
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the browser suite through go test ./web/e2e`);
  return v;
}

export const site = env("INVITED_URL");
export const control = env("CONTROL_URL");
export const fixtures = JSON.parse(env("FIXTURES")) as Fixtures;
/** The local webhook receiver (plain http on the loopback, allowed in the harness only). */
export const receiverURL = env("WEBHOOK_RECEIVER_URL");
export const screenshotDir = process.env.SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), "invited-shots-"));

export interface Message {
  id: string;
  to: string;
  subject: string;
  text: string;
  links: string[];
  invite_id: string;
  received: string;
}

/** The messages the fake SendGrid accepted for an address, oldest first. */
export async function mailbox(to: string): Promise<Message[]> {
  const res = await fetch(`${control}/messages?to=${encodeURIComponent(to)}`);
  assert.equal(res.status, 200);
  return (await res.json()) as Message[];
}

/** Waits until the address has at least n messages, and returns them. */
export async function waitForMail(to: string, n: number, timeoutMs = 15_000): Promise<Message[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const msgs = await mailbox(to);
    if (msgs.length >= n) return msgs;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${n} messages to ${to}, got ${msgs.length}`);
    await new Promise((r) => setTimeout(r, 100)); // polling the mailbox: the harness has no push channel
  }
}

/** Has SendGrid report an event about the latest message to an address; "blocked" is a bounce of the blocked kind. */
export async function deliveryEvent(to: string, type: "bounce" | "blocked" | "delivered" | "dropped", reason?: string): Promise<void> {
  const res = await fetch(`${control}/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(type === "blocked" ? { to, type: "bounce", bounceType: "blocked", reason: reason ?? "" } : { to, type, reason: reason ?? "" }),
  });
  assert.equal(res.status, 204, await res.text());
}

export interface Received {
  id: string;
  type: string;
  attempt: number;
  /** The positions, in the order trusted, of the secrets whose signature the request carried. */
  verified_with: number[];
}

/** Tells the receiver to accept the signatures of a secret. */
export async function trustSecret(secret: string): Promise<void> {
  const res = await fetch(`${control}/receiver/trust`, { method: "POST", body: JSON.stringify({ secret }) });
  assert.equal(res.status, 204, await res.text());
}

/** Sets the status the receiver answers verified requests with. */
export async function receiverAnswers(status: number): Promise<void> {
  const res = await fetch(`${control}/receiver/answer`, { method: "POST", body: JSON.stringify({ status }) });
  assert.equal(res.status, 204, await res.text());
}

/** What the receiver accepted (verified and answered 2xx), in arrival order, and the ids of requests whose signature did not verify. */
export async function received(): Promise<{ accepted: Received[]; rejected: string[] }> {
  const res = await fetch(`${control}/receiver/received`);
  assert.equal(res.status, 200);
  return (await res.json()) as { accepted: Received[]; rejected: string[] };
}

/** Waits until the receiver accepted a webhook that matches. */
export async function waitForWebhook(match: (r: Received) => boolean, timeoutMs = 30_000): Promise<Received> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = (await received()).accepted.find(match);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for a webhook`);
    await new Promise((r) => setTimeout(r, 100)); // polling the receiver: the harness has no push channel
  }
}

/** What the suite reads of a user view. */
export interface UserView {
  id: string;
  email: string;
  status: string;
  reminders_sent: number;
  next_reminder_at: string | null;
  reminders_stopped?: string;
}

let ownerToken: string | undefined;

/** The API as the organization's owner: what happens elsewhere, and the suite's own checks of what the screens show. */
export async function asOwner(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  if (!ownerToken) {
    const res = await fetch(`${site}/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ organization: fixtures.org, email: fixtures.owner.email, password: fixtures.owner.password }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    ownerToken = ((await res.json()) as { access_token: string }).access_token;
  }
  return fetch(`${site}${path}`, {
    method: init.method ?? "GET",
    headers: { Authorization: `Bearer ${ownerToken}`, ...(init.body === undefined ? {} : { "Content-Type": "application/json" }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

/**
 * Waits until the user view of an address satisfies want, and returns it:
 * what the service does after a change (a reschedule, a provider's report)
 * may finish after the answer that started it.
 */
export async function waitForUser(email: string, want: (u: UserView) => boolean, timeoutMs = 15_000): Promise<UserView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await asOwner(`/users?${new URLSearchParams({ q: email })}`);
    assert.equal(res.status, 200, await res.clone().text());
    const u = ((await res.json()) as { data: UserView[] }).data.find((x) => x.email === email);
    if (u && want(u)) return u;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for the user view of ${email}; it is ${JSON.stringify(u)}`);
    await new Promise((r) => setTimeout(r, 100)); // polling the API: the harness has no push channel
  }
}

let browser: Browser | undefined;

export async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: env("CHROMIUM"),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ], // Playwright starts Chromium on a fresh temporary profile of its own (it refuses --user-data-dir here)
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

const problems = new WeakMap<Page, string[]>();

/** A fresh browser profile (cookies and all) as one person's browser. */
export async function newContext(opts: { phone?: boolean } = {}): Promise<BrowserContext> {
  const b = await launch();
  const ctx = await b.newContext({
    baseURL: site,
    ...(opts.phone
      ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
      : { viewport: { width: 1360, height: 900 } }),
    permissions: ["clipboard-read", "clipboard-write"],
  });
  ctx.on("page", watch);
  return ctx;
}

function watch(page: Page) {
  const list: string[] = [];
  problems.set(page, list);
  page.on("pageerror", (e) => list.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content.Security.Policy|Refused to/i.test(m.text())) list.push(`CSP: ${m.text()}`);
  });
}

export async function newPage(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  if (!problems.has(page)) watch(page);
  return page;
}

/** Fails on any script error or CSP violation the page had so far. */
export function assertClean(page: Page): void {
  assert.deepEqual(problems.get(page) ?? [], [], "the page ran without script errors or CSP violations");
}

const scanned: string[] = [];

/** axe-core: no serious or critical violation on the page as it is now. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe-core on ${screen}`,
  );
  scanned.push(screen);
  assertClean(page);
}

export function scannedScreens(): string[] {
  return scanned;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/** Signs in through the sign-in page and waits for the first screen. */
export async function signIn(page: Page, who: Person, first: string | RegExp = /Individuals|My account|You need the People permission/): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Organization").fill(fixtures.org);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password", { exact: true }).fill(who.password ?? "");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: first }).waitFor();
}

/** The row of a person in the people table. */
export function row(page: Page, email: string) {
  return page.getByRole("row").filter({ hasText: email });
}

/** Opens a row's ⋮ menu and picks an item. */
export async function rowAction(page: Page, email: string, item: string): Promise<void> {
  await row(page, email).getByRole("button", { name: /^Actions for/ }).click();
  await page.getByRole("menuitem", { name: new RegExp(`^${item}`) }).click();
}

/** Shows one person in the people table, found by the search box. */
export async function findPerson(page: Page, email: string, status?: "invite_pending" | "confirmed" | "deactivated"): Promise<void> {
  await page.goto(`/people?${new URLSearchParams({ q: email, ...(status ? { status } : {}) })}`);
  await row(page, email).waitFor();
}

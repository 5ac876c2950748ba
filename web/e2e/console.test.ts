// The console and the activation page in Chromium against the real binary
// (started by web/e2e/browser_test.go). Every wait is on a page element or
// an event, never on a timer.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";

import {
  asOwner,
  assertAccessible,
  assertClean,
  closeBrowser,
  deliveryEvent,
  findPerson,
  fixtures as fx,
  mailbox,

  newContext,
  newPage,
  received,
  receiverAnswers,
  receiverURL,
  row,
  rowAction,
  scannedScreens,
  screenshot,
  signIn,
  site,
  trustSecret,
  waitForMail,
  waitForUser,
  waitForWebhook,
} from "./support.js";

const strong = "violet-harbor-engine-93";

let owner: BrowserContext;
let admin: Page;

before(async () => {
  owner = await newContext();
  admin = await newPage(owner);
  await signIn(admin, fx.owner);
});

after(async () => {
  await closeBrowser();
});

/** A person's own browser, on a phone. */
async function phone(): Promise<Page> {
  return newPage(await newContext({ phone: true }));
}

async function noSideways(page: Page) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `the page fits a ${width}px screen (it is ${scroll}px wide)`);
}

describe("the seed's quick start", () => {
  test("People → Individuals, Invite pending, ⋮ → Resend invite; the old link dies, the new one activates", async () => {
    const grace = fx.quick_start;
    const [first] = await waitForMail(grace.email, 1);
    const oldLink = first?.links[0];
    assert.ok(oldLink, "the first invitation carries a link");
    assert.ok(oldLink.startsWith(`${site}/activate?token=`), "links open the service's own activation page");

    await admin.goto("/");
    await admin.getByRole("link", { name: "Individuals" }).click();
    await admin.getByRole("heading", { name: "Individuals" }).waitFor();
    await admin.getByRole("navigation", { name: "Filter by status" }).getByRole("link", { name: /Invite pending/ }).click();
    await admin.waitForURL(/status=invite_pending/);
    await admin.getByLabel("Search").fill("Hopper"); // the seed's "Search for the user"
    await admin.waitForURL(/q=Hopper/);
    await row(admin, grace.email).waitFor();
    await assertAccessible(admin, "people");

    await rowAction(admin, grace.email, "Resend invite");
    await admin.getByText(`A new invitation is on its way to ${grace.email}`).waitFor();
    const msgs = await waitForMail(grace.email, 2);
    const newLink = msgs[1]?.links[0];
    assert.ok(newLink && newLink !== oldLink, "the resend mailed a new link");

    const person = await phone();
    await person.goto(oldLink);
    await person.getByRole("heading", { name: "This link is no longer valid" }).waitFor();
    await person.getByText("A newer invitation was sent to you. Use the link in the latest email.").waitFor();
    assert.ok(!person.url().includes("token="), "the token left the address bar");
    await assertAccessible(person, "activation: superseded link");

    await person.goto(newLink);
    await person.getByRole("heading", { name: "Join Acme Learning" }).waitFor();
    assert.ok(!person.url().includes("token="), "the token left the address bar");
    await person.getByText(`Hello ${grace.name}`).waitFor();
    await noSideways(person);
    await assertAccessible(person, "activation form");
    await screenshot(person, "activate");
    await person.getByLabel("Password", { exact: true }).fill("short");
    await person.getByLabel("Repeat the password").fill("short");
    await person.getByRole("button", { name: "Activate my account" }).click();
    await person.getByText("Use at least 12 characters.").waitFor();
    await person.getByLabel("Password", { exact: true }).fill(strong);
    await person.getByLabel("Repeat the password").fill(strong);
    await person.getByRole("button", { name: "Activate my account" }).click();
    await person.getByRole("heading", { name: "Your account is active" }).waitFor();
    await assertAccessible(person, "activation: done");
    await person.getByRole("link", { name: "Open the console" }).click();
    await person.getByRole("heading", { name: "My account" }).waitFor();

    await person.goto(newLink);
    await person.getByRole("heading", { name: "This invitation was already used" }).waitFor();
    await assertAccessible(person, "activation: already used");

    await findPerson(admin, grace.email, "confirmed");
    await row(admin, grace.email).getByText("Confirmed").waitFor();
    assertClean(admin);
  });
});

describe("the People screen", () => {
  test("filters live in the URL, so a view can be bookmarked; who does not match is not shown", async () => {
    await admin.goto(`/people?status=invite_pending&q=${encodeURIComponent("Turing")}&role=learner`);
    await row(admin, fx.typed.email).waitFor();
    const people = admin.getByRole("table", { name: "People of the organization" });
    const shown = people.locator("tbody tr");
    assert.equal(await shown.count(), 1, "Alan Turing alone matches");
    const tab = admin.getByRole("navigation", { name: "Filter by status" }).getByRole("link", { name: /Invite pending/ });
    assert.equal(await tab.getAttribute("aria-current"), "page");
    assert.equal(await admin.getByLabel("Search").inputValue(), "Turing");

    // A wider search: the invite-pending learners of acme.test, and nobody confirmed, deactivated or of another role.
    await admin.getByLabel("Search").fill("acme.test");
    await admin.waitForURL(/q=acme\.test/);
    await row(admin, fx.generated.email).waitFor();
    await row(admin, fx.typed.email).waitFor();
    for (const other of [fx.learner, fx.hr, fx.owner, fx.curator]) {
      assert.equal(await row(admin, other.email).count(), 0, `${other.email} does not match and is not shown`);
    }
    const cells = await shown.evaluateAll((trs) => trs.map((tr) => ({ role: tr.children[3]?.textContent, status: tr.children[4]?.textContent ?? "" })));
    assert.ok(cells.length > 2, "the invite-pending learners are listed");
    for (const c of cells) {
      assert.equal(c.role, "Learner");
      assert.match(c.status, /^(Invite pending|Not yet invited)/);
    }

    // The columns the list can be ordered by are buttons that say which one orders it.
    const email = people.getByRole("columnheader", { name: "Email" });
    const invitation = people.getByRole("columnheader", { name: "Invitation" });
    assert.equal(await email.getAttribute("aria-sort"), null, "newest first by default: no column orders the list");
    await email.getByRole("button", { name: "Email" }).click();
    await admin.waitForURL(/sort=email/);
    assert.equal(await email.getAttribute("aria-sort"), "ascending");
    assert.equal(await admin.getByLabel("Sort").inputValue(), "email");
    await invitation.getByRole("button", { name: "Invitation" }).click();
    await admin.waitForURL(/sort=-last_invited_at/);
    assert.equal(await invitation.getAttribute("aria-sort"), "descending");
    assert.equal(await email.getAttribute("aria-sort"), null, "one column orders the list at a time");
    await assertAccessible(admin, "people: ordered by a column");

    await admin.getByLabel("Sort").selectOption("email");
    await admin.waitForURL(/sort=email/);
    await admin.reload();
    await row(admin, fx.typed.email).waitFor();
    assert.equal(await admin.getByLabel("Sort").inputValue(), "email");
    assert.equal(await email.getAttribute("aria-sort"), "ascending");
  });

  test("the ⋮ menu works from the keyboard and says why an action is unavailable", async () => {
    await findPerson(admin, fx.learner.email, "confirmed");
    const button = row(admin, fx.learner.email).getByRole("button", { name: /^Actions for/ });
    await button.focus();
    await admin.keyboard.press("ArrowDown");
    const resend = admin.getByRole("menuitem", { name: /^Resend invite/ });
    await resend.waitFor();
    assert.equal(await resend.evaluate((el) => el === document.activeElement), true, "the first item has focus");
    assert.equal(await resend.getAttribute("aria-disabled"), "true");
    await resend.getByText("The user is Confirmed").waitFor();
    await assertAccessible(admin, "people: row menu");
    await admin.keyboard.press("Escape");
    await admin.getByRole("menu").waitFor({ state: "detached" });
    assert.equal(await button.evaluate((el) => el === document.activeElement), true, "focus returns to the menu button");
  });

  test("set a password by typing it, then the temporary password is changed at first sign-in", async () => {
    const alan = fx.typed;
    await findPerson(admin, alan.email, "invite_pending");
    await rowAction(admin, alan.email, "Set password");
    const dialog = admin.getByRole("dialog", { name: `Set a password for ${alan.name}` });
    await dialog.waitFor();
    await assertAccessible(admin, "set password dialog");
    await dialog.getByLabel("New password").fill("alan");
    await dialog.getByRole("button", { name: "Set password" }).click();
    await dialog.getByText("Use at least 12 characters.").waitFor();
    await dialog.getByText(/too easy to guess/).waitFor();
    await dialog.getByLabel("New password").fill(strong);
    await dialog.getByRole("button", { name: "Set password" }).click();
    const done = admin.getByRole("dialog", { name: "Password set" });
    await done.getByText("Inform the user").waitFor();
    await done.getByText(alan.email).waitFor();
    await done.getByText(/must change it after signing in/).waitFor();
    await assertAccessible(admin, "set password: inform the user");
    await done.getByRole("button", { name: "Done" }).click();
    await findPerson(admin, alan.email, "confirmed");
    await row(admin, alan.email).getByText("Temporary password").waitFor();

    const page = await newPage(await newContext());
    await signIn(page, { ...alan, password: strong }, "Choose your own password");
    await assertAccessible(page, "forced password change");
    await page.getByLabel("Temporary password").fill(strong);
    await page.getByLabel("New password", { exact: true }).fill("quartz-lantern-meadow-41");
    await page.getByLabel("Repeat the new password").fill("quartz-lantern-meadow-41");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("heading", { name: "My account" }).waitFor();
    await assertAccessible(page, "my account");
    await page.reload();
    await page.getByRole("heading", { name: "My account" }).waitFor(); // signed in with the new password's session
  });

  test("set a generated password, shown once with a copy button", async () => {
    const barbara = fx.generated;
    await findPerson(admin, barbara.email, "invite_pending");
    await rowAction(admin, barbara.email, "Set password");
    const dialog = admin.getByRole("dialog", { name: `Set a password for ${barbara.name}` });
    await dialog.getByLabel("Generate a strong one").check();
    await dialog.getByRole("button", { name: "Set password" }).click();
    const done = admin.getByRole("dialog", { name: "Password set" });
    const password = (await done.getByTestId("generated-password").textContent()) ?? "";
    assert.ok(password.length >= 12, "a generated password");
    await done.getByRole("button", { name: "Copy" }).click();
    await done.getByRole("button", { name: "Copied" }).waitFor();
    await screenshot(admin, "set-password");
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), password);
    await done.getByRole("button", { name: "Done" }).click();

    const page = await newPage(await newContext());
    await signIn(page, { ...barbara, password }, "Choose your own password");
    await page.getByLabel("Temporary password").fill(password);
    await page.getByLabel("New password", { exact: true }).fill("copper-kettle-orchard-58");
    await page.getByLabel("Repeat the new password").fill("copper-kettle-orchard-58");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("heading", { name: "My account" }).waitFor();
  });

  test("a resend after a bounce shows the warning and the action it suggests", async () => {
    const kat = fx.bounced;
    await waitForMail(kat.email, 1);
    await deliveryEvent(kat.email, "bounce", "550 5.1.1 mailbox does not exist");
    await findPerson(admin, kat.email, "invite_pending");
    await row(admin, kat.email).getByText("550 5.1.1 mailbox does not exist").waitFor();
    await row(admin, kat.email).getByText("Bounced").waitFor();
    await rowAction(admin, kat.email, "Resend invite");
    await admin.getByText(/The previous invitation to .* was bounced/).waitFor();
    await assertAccessible(admin, "people: resend warning");
    await admin.getByRole("button", { name: "Set a password instead" }).click();
    await admin.getByRole("dialog", { name: `Set a password for ${kat.name}` }).waitFor();
    await admin.getByRole("button", { name: "Cancel" }).click();
  });

  test("edit a mistyped email, and read the invitation history", async () => {
    const email = "edsger.dijkstra@gmial.com";
    await findPerson(admin, email, "invite_pending");
    await row(admin, email).getByText("Did you mean").waitFor();
    await rowAction(admin, email, "Edit");
    const dialog = admin.getByRole("dialog", { name: "Edit Edsger Dijkstra" });
    assert.equal(await dialog.getByLabel("Email").inputValue(), "edsger.dijkstra@gmail.com", "the suggestion is offered");
    await dialog.getByText(/revokes the current invitation link/).waitFor();
    await assertAccessible(admin, "edit dialog");
    await dialog.getByRole("button", { name: "Save" }).click();
    await admin.getByText("Saved. A new invitation is on its way to edsger.dijkstra@gmail.com.").waitFor();
    await admin.getByRole("button", { name: "Done" }).click();
    await waitForMail("edsger.dijkstra@gmail.com", 1);

    await findPerson(admin, "edsger.dijkstra@gmail.com", "invite_pending");
    await rowAction(admin, "edsger.dijkstra@gmail.com", "Invitation history");
    const history = admin.getByRole("dialog", { name: "Invitations of Edsger Dijkstra" });
    await history.getByText("Revoked (the email changed)").waitFor();
    await history.getByText(/Valid until/).waitFor();
    await assertAccessible(admin, "invitation history");
    await admin.keyboard.press("Escape");
    await history.waitFor({ state: "detached" });
  });

  test("add a person", async () => {
    await admin.goto("/people");
    await admin.getByRole("button", { name: "Add person" }).click();
    const dialog = admin.getByRole("dialog", { name: "Add a person" });
    await dialog.getByLabel("Email").fill("hedy.lamarr@acme.test");
    await dialog.getByLabel("First name").fill("Hedy");
    await dialog.getByLabel("Last name").fill("Lamarr");
    await assertAccessible(admin, "add person dialog");
    await dialog.getByRole("button", { name: "Add" }).click();
    await admin.getByText("hedy.lamarr@acme.test was added and an invitation is on its way.").waitFor();
    await admin.getByRole("button", { name: "Done" }).click();
    await waitForMail("hedy.lamarr@acme.test", 1);
  });

  test("deactivate and reactivate", async () => {
    await findPerson(admin, "frances.allen@acme.test", "confirmed");
    await rowAction(admin, "frances.allen@acme.test", "Deactivate");
    await admin.getByText(/is deactivated: they can no longer sign in/).waitFor();
    await findPerson(admin, "frances.allen@acme.test", "deactivated");
    await rowAction(admin, "frances.allen@acme.test", "Reactivate");
    await admin.getByText(/is active again \(Confirmed\)/).waitFor();
  });
});

describe("bulk and import", () => {
  test("bulk resend: all matching the filter, dry run, confirm, progress to the end", async () => {
    await admin.goto(`/people?status=invite_pending&q=${fx.bulk_query}`);
    await admin.getByRole("button", { name: "Load more" }).waitFor();
    await admin.getByLabel("Select every person shown").check();
    await admin.getByRole("button", { name: "Select all invite-pending people matching this filter" }).click();
    await admin.getByText("All invite-pending people matching this filter are selected.").waitFor();
    await admin.getByRole("button", { name: "Resend invites…" }).click();
    const dialog = admin.getByRole("dialog", { name: "Resend invitations" });
    await dialog.getByText(`This will re-invite ${fx.bulk_count} people.`).waitFor();
    await assertAccessible(admin, "bulk resend: dry run");
    await dialog.getByRole("button", { name: `Re-invite ${fx.bulk_count} people` }).click();
    const progress = admin.getByRole("dialog", { name: "Resending invitations" });
    await progress.getByText(`Finished: ${fx.bulk_count} invitations.`).waitFor({ timeout: 60_000 });
    const bar = progress.getByRole("progressbar");
    assert.equal(await bar.getAttribute("value"), String(fx.bulk_count));
    assert.equal(await bar.getAttribute("max"), String(fx.bulk_count));
    await assertAccessible(admin, "bulk resend: finished");
    await screenshot(admin, "bulk-resend");
    await admin.keyboard.press("Escape");
    await waitForMail("bulk-01@acme.test", 2);
    await waitForMail(`bulk-${fx.bulk_count}@acme.test`, 2);
  });

  test("a CSV import with one bad row: report, send invites, progress, per-row results", async () => {
    await admin.goto("/");
    await admin.getByRole("link", { name: "Import", exact: true }).click();
    await admin.getByRole("heading", { name: "Import people" }).waitFor();
    await assertAccessible(admin, "import");
    const csv = [
      "email,first_name,last_name,role",
      "ada.lovelace@acme.test,Ada,Lovelace,learner",
      "not-an-email,Bad,Row,learner",
      "john.backus@acme.test,John,Backus,curator",
      "niklaus.wirth@acme.test,Niklaus,Wirth,learner",
    ].join("\r\n");
    await admin.getByLabel("CSV file", { exact: true }).setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await admin.getByText("people.csv: 4 rows. 3 to create, 0 to skip, 1 with errors.").waitFor();
    const problems = admin.getByRole("table", { name: "Rows that will not be created" });
    await problems.getByText("not-an-email").waitFor();
    await assertAccessible(admin, "import: report");
    await screenshot(admin, "import");
    assert.equal(await admin.getByLabel("Send invitations to the people created").isChecked(), true);
    await admin.getByRole("button", { name: "Import 3 people" }).click();
    await admin.getByText("Finished: 3 people created.").waitFor({ timeout: 60_000 });
    await admin.getByRole("table", { name: "Not done" }).getByText(/Row 3/).waitFor();
    await assertAccessible(admin, "import: finished");
    await waitForMail("niklaus.wirth@acme.test", 1);
    await findPerson(admin, "john.backus@acme.test", "invite_pending");
  });
});

describe("the rest of an invitation's life", () => {
  test("copy an invite link: the warning, the link shown once; the old link dies and the handed one activates", async () => {
    const john = fx.handed;
    const [mailed] = await waitForMail(john.email, 1);
    const oldLink = mailed?.links[0];
    assert.ok(oldLink);
    await findPerson(admin, john.email, "invite_pending");
    await rowAction(admin, john.email, "Copy invite link");
    const dialog = admin.getByRole("dialog", { name: `Invitation link for ${john.name}` });
    await dialog.getByText("As sensitive as a password").waitFor();
    await assertAccessible(admin, "invite link dialog");
    await dialog.getByLabel("Link valid for").selectOption({ label: "3 days" });
    await dialog.getByRole("button", { name: "Create link" }).click();
    const link = (await dialog.getByTestId("invite-link").textContent()) ?? "";
    assert.ok(link.startsWith(`${site}/activate?token=`), "the dialog shows the activation link");
    await dialog.getByText("It is shown only this once").waitFor();
    await dialog.getByRole("button", { name: "Copy" }).click();
    await dialog.getByRole("button", { name: "Copied" }).waitFor();
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), link);
    await assertAccessible(admin, "invite link shown");
    await screenshot(admin, "invite-link");
    await dialog.getByRole("button", { name: "Done" }).click();
    await row(admin, john.email).getByText("Link handed over").first().waitFor();
    await row(admin, john.email).getByText(`by ${fx.owner.name}`).waitFor();

    const person = await phone();
    await person.goto(oldLink);
    await person.getByRole("heading", { name: "This link is no longer valid" }).waitFor();
    await person.goto(link);
    await person.getByRole("heading", { name: "Join Acme Learning" }).waitFor();
    await person.getByLabel("Password", { exact: true }).fill(strong);
    await person.getByLabel("Repeat the password").fill(strong);
    await person.getByRole("button", { name: "Activate my account" }).click();
    await person.getByRole("heading", { name: "Your account is active" }).waitFor();
    assert.equal((await mailbox(john.email)).length, 1, "no email was sent for the handed link");
  });

  test("revoke an invitation: the person is not yet invited, and the mailed link is withdrawn", async () => {
    const donald = fx.revoked;
    const [mailed] = await waitForMail(donald.email, 1);
    assert.ok(mailed?.links[0]);
    await findPerson(admin, donald.email, "invite_pending");
    await rowAction(admin, donald.email, "Revoke invite");
    await admin.getByText(`The invitation link of ${donald.email} stopped working.`).waitFor();
    await row(admin, donald.email).getByText("Not yet invited").waitFor();

    await row(admin, donald.email).getByRole("button", { name: /^Actions for/ }).click();
    const item = admin.getByRole("menuitem", { name: /^Revoke invite/ });
    assert.equal(await item.getAttribute("aria-disabled"), "true");
    await item.getByText("The invitation is revoked").waitFor();
    await admin.keyboard.press("Escape");

    const person = await phone();
    await person.goto(mailed.links[0]);
    await person.getByRole("heading", { name: "This link is no longer valid" }).waitFor();
    await person.getByText("This invitation was withdrawn. Ask your administrator for a new one.").waitFor();
  });

  test("the organization's settings: the owner changes them, they hold after a reload", async () => {
    await admin.goto("/");
    await admin.getByRole("link", { name: "Organization" }).click();
    await admin.getByRole("heading", { name: "Organization settings" }).waitFor();
    assert.equal(await admin.getByLabel("Default language").inputValue(), "en");
    assert.equal(await admin.getByLabel("Time zone").inputValue(), "UTC");
    await assertAccessible(admin, "organization settings");
    await admin.getByLabel("Invitation links are valid for").selectOption({ label: "14 days" });
    await admin.getByLabel("Time zone").fill("Europe/Berlin");
    await admin.getByRole("button", { name: "Save" }).click();
    await admin.getByText("Saved. New invitations and new people use these settings.").waitFor();
    await screenshot(admin, "organization-settings");
    await admin.reload();
    await admin.getByRole("heading", { name: "Organization settings" }).waitFor();
    // The form shows with the stored settings, never first with defaults.
    assert.equal(await admin.getByLabel("Invitation links are valid for").inputValue(), "336");
    assert.equal(await admin.getByLabel("Time zone").inputValue(), "Europe/Berlin");

    await admin.getByLabel("Time zone").fill("Mars/Olympus_Mons");
    await admin.getByRole("button", { name: "Save" }).click();
    await admin.getByText(/time_zone must be an IANA time zone/).waitFor();
    assert.equal(await admin.getByLabel("Time zone").inputValue(), "Mars/Olympus_Mons", "a refused value stays to be fixed");

    const hr = await newPage(await newContext());
    await signIn(hr, fx.reused); // an admin may change them too; the owner's change shows
    await hr.goto("/settings");
    await hr.getByRole("heading", { name: "Organization settings" }).waitFor();
    assert.equal(await hr.getByLabel("Time zone").inputValue(), "Europe/Berlin");
  });

  test("add a person in German: the German email, with the Berlin date, and the German activation page", async () => {
    await admin.goto("/people");
    await admin.getByRole("button", { name: "Add person" }).click();
    const dialog = admin.getByRole("dialog", { name: "Add a person" });
    await dialog.getByLabel("Email").fill("hannah.arendt@acme.test");
    await dialog.getByLabel("First name").fill("Hannah");
    await dialog.getByLabel("Last name").fill("Arendt");
    await dialog.getByLabel("Language").selectOption({ label: "Deutsch" });
    await dialog.getByLabel("Link valid for").selectOption({ label: "3 days" });
    await dialog.getByRole("button", { name: "Add" }).click();
    await admin.getByText("hannah.arendt@acme.test was added and an invitation is on its way.").waitFor();
    await admin.getByRole("button", { name: "Done" }).click();

    const [msg] = await waitForMail("hannah.arendt@acme.test", 1);
    assert.ok(msg?.links[0]);
    assert.equal(msg.subject, `${fx.owner.name} hat Sie zu Acme Learning eingeladen`);
    assert.match(msg.text, /Dieser Link läuft in 3 Tagen ab, am (Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag), \d{1,2}\. \p{L}+ \d{4} um \d\d:\d\d Uhr \(Europe\/Berlin\)\./u);

    const person = await phone();
    await person.goto(msg.links[0]);
    await person.getByRole("heading", { name: "Willkommen bei Acme Learning" }).waitFor();
    assert.equal(await person.evaluate(() => document.documentElement.lang), "de");
    await person.getByText("Hallo Hannah Arendt, Sie wurden zu Acme Learning eingeladen.", { exact: false }).waitFor();
    await assertAccessible(person, "activation form (de)");
    await person.getByLabel("Passwort", { exact: true }).fill(strong);
    await person.getByLabel("Passwort wiederholen").fill(strong);
    await person.getByRole("button", { name: "Konto aktivieren" }).click();
    await person.getByRole("heading", { name: "Ihr Konto ist aktiv" }).waitFor();

    // Back to the defaults the later tests expect.
    await admin.goto("/settings");
    await admin.getByLabel("Time zone").fill("UTC");
    await admin.getByLabel("Invitation links are valid for").selectOption({ label: "7 days" });
    await admin.getByRole("button", { name: "Save" }).click();
    await admin.getByText("Saved. New invitations and new people use these settings.").waitFor();
  });
});

describe("who may do what", () => {
  test("a curator without the People permission is told what they need", async () => {
    const page = await newPage(await newContext());
    await signIn(page, fx.curator, "You need the People permission");
    await assertAccessible(page, "needs the People permission");
    await page.getByRole("link", { name: "Go to my account" }).click();
    await page.getByRole("heading", { name: "My account" }).waitFor();
  });

  test("a learner gets their own account only", async () => {
    const page = await newPage(await newContext());
    await signIn(page, fx.learner, "My account");
    assert.equal(await page.getByRole("link", { name: "Individuals" }).count(), 0);
    await page.goto("/people");
    await page.getByRole("heading", { name: "My account" }).waitFor();
  });
});

describe("the activation page", () => {
  test("an expired link is renewed, and the new one works", async () => {
    const page = await phone();
    await page.goto(fx.expired.link ?? "");
    await page.getByRole("heading", { name: "This invitation has expired" }).waitFor();
    await noSideways(page);
    await assertAccessible(page, "activation: expired");
    await page.getByRole("button", { name: "Send me a new link" }).click();
    await page.getByText(/A new invitation is on its way/).waitFor();
    const [msg] = await waitForMail(fx.expired.email, 1);
    assert.ok(msg?.links[0]);
    await page.goto(msg.links[0]);
    await page.getByRole("heading", { name: "Join Acme Learning" }).waitFor();
  });

  test("loads only its own scripts, none of the console's", async () => {
    const scripts = async (path: string, heading: string) => {
      const page = await phone();
      const names: string[] = [];
      page.on("request", (r) => {
        if (r.resourceType() === "script") names.push(new URL(r.url()).pathname);
      });
      await page.goto(path);
      await page.getByRole("heading", { name: heading }).waitFor();
      await page.close();
      return names;
    };
    const activation = await scripts("/activate?token=not-a-real-token", "This link is not valid");
    const consoleScripts = await scripts("/sign-in", "Sign in");
    assert.ok(activation.some((n) => n.startsWith("/assets/Activate-")), `the activation page's script: ${activation.join(", ")}`);
    assert.ok(consoleScripts.some((n) => n.startsWith("/assets/Console-")), `the console's script: ${consoleScripts.join(", ")}`);
    assert.deepEqual(
      activation.filter((n) => !consoleScripts.includes(n) && !n.startsWith("/assets/Activate-")),
      [],
      "nothing but the activation page's own script beside what the console shares",
    );
    assert.deepEqual(
      activation.filter((n) => n.startsWith("/assets/Console-")),
      [],
      "no script of the console",
    );
  });

  test("a link that is not one", async () => {
    const page = await phone();
    await page.goto("/activate?token=not-a-real-token");
    await page.getByRole("heading", { name: "This link is not valid" }).waitFor();
    await assertAccessible(page, "activation: invalid link");
    await page.goto("/activate");
    await page.getByRole("heading", { name: "This link is not valid" }).waitFor();
  });
});

describe("sessions", () => {
  test("a refresh token used twice ends the session, and the audit log says so", async () => {
    const ctx = await newContext();
    const page = await newPage(ctx);
    await signIn(page, fx.reused);
    const cookie = async () => (await ctx.cookies()).find((c) => c.name === "invited_refresh");
    const stolen = await cookie();
    assert.ok(stolen, "the refresh token is a cookie");
    assert.equal(stolen.httpOnly, true);
    assert.equal(stolen.sameSite, "Strict");
    assert.equal(stolen.path, "/auth");
    assert.equal(await page.evaluate(() => document.cookie.includes("invited_refresh")), false, "scripts cannot read it");

    await page.reload(); // the access token was in memory only: the cookie renews the session
    await page.getByRole("heading", { name: "Individuals" }).waitFor();
    assert.notEqual((await cookie())?.value, stolen.value, "the refresh rotated the token");

    await ctx.addCookies([{ ...stolen }]);
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to invited" }).waitFor();
    await page.getByText(/For your security your session was ended/).waitFor();
    await assertAccessible(page, "sign-in: session ended");

    await admin.goto("/audit?action=auth.refresh_reuse_detected");
    const entry = admin.getByRole("row").filter({ hasText: "Session ended: a sign-in token was reused" });
    await entry.waitFor();
    await entry.getByText(fx.reused.name).waitFor();
    await assertAccessible(admin, "audit log");
  });

  test("signing out ends the session for good", async () => {
    const page = await newPage(await newContext());
    await signIn(page, fx.owner);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You signed out.").waitFor();
    await assertAccessible(page, "sign-in");
    await page.goto("/people");
    await page.getByRole("heading", { name: "Sign in to invited" }).waitFor();
  });

  test("an unknown address shows the console's own page", async () => {
    await admin.goto("/no-such-screen");
    await admin.getByRole("heading", { name: "Page not found" }).waitFor();
    await assertAccessible(admin, "not found");
  });
});

describe("API documentation", () => {
  test("Swagger UI renders every operation of the contract, and deep links work", async () => {
    const page = await newPage(owner);
    await page.goto("/docs");
    await page.locator(".opblock").first().waitFor();
    const spec = await (await fetch(`${site}/openapi.yaml`)).text();
    const operations = spec.match(/^\s+operationId: /gm)?.length ?? 0;
    assert.ok(operations > 20);
    assert.equal(await page.locator(".opblock").count(), operations, "every operation is rendered");
    assertClean(page);
    const deep = await newPage(owner);
    await deep.goto("/docs/#/Authentication/refreshSession");
    await deep.locator("#operations-Authentication-refreshSession.is-open").waitFor();
    assertClean(deep);
  });
});

describe("webhooks", () => {
  test("add an endpoint, its secret shown once; ping, deliveries, attempts, replay; edit, rotate, disable, enable, delete", async () => {
    await admin.goto("/");
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await admin.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
    await admin.getByText("No endpoint yet.").waitFor();
    await assertAccessible(admin, "webhooks");

    await admin.getByRole("button", { name: "Add endpoint" }).click();
    const form = admin.getByRole("dialog", { name: "Add a webhook endpoint" });
    await form.getByLabel("URL").fill("http://lms.example.com/hooks/invited");
    await form.getByLabel("Description").fill("Enrol new learners");
    // No event chosen: the form says so, until one is.
    const defaults = [/^invite\.accepted/, /^invite\.delivery_updated/].map((name) => form.getByRole("checkbox", { name }));
    for (const box of defaults) await box.uncheck();
    await form.getByRole("button", { name: "Add endpoint" }).click();
    const noEvent = form.getByText("Choose at least one event, or every event.");
    await noEvent.waitFor();
    await form.getByRole("checkbox", { name: /^user\.created/ }).check();
    await noEvent.waitFor({ state: "detached" });
    for (const box of defaults) await box.check();
    assert.equal(await noEvent.count(), 0, "the choice stays valid");
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await form.getByText(/the URL must use https/).waitFor(); // the API's refusal, under the field
    await assertAccessible(admin, "webhook endpoint form");
    await form.getByLabel("URL").fill(receiverURL);
    await form.getByRole("button", { name: "Add endpoint" }).click();

    const shown = admin.getByRole("dialog", { name: "Endpoint added: its signing secret" });
    await shown.getByText("Shown only this once").waitFor();
    const secret = (await shown.getByTestId("webhook-secret").textContent()) ?? "";
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
    await shown.getByRole("button", { name: "Copy" }).click();
    await shown.getByRole("button", { name: "Copied" }).waitFor();
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), secret);
    await assertAccessible(admin, "webhook secret shown");
    await screenshot(admin, "webhook-secret");
    await trustSecret(secret);
    await shown.getByRole("button", { name: "Done" }).click();
    const endpoint = row(admin, receiverURL);
    await endpoint.getByText("Enabled").waitFor();
    await endpoint.getByText("user.created, invite.accepted, invite.delivery_updated").waitFor();
    await endpoint.getByText("Enrol new learners").waitFor();

    // A ping, verified by the receiver with the secret shown; its delivery, its attempts and a replay.
    await rowAction(admin, receiverURL, "Send test ping");
    await admin.getByText(`A ping is on its way to ${receiverURL}`).waitFor();
    const ping = await waitForWebhook((r) => r.type === "ping");
    assert.deepEqual(ping.verified_with, [0], "signed with the secret shown");
    const deliveries = admin.getByRole("region", { name: `Deliveries to ${receiverURL}` });
    const first = deliveries.getByRole("row").filter({ hasText: "ping" }).last();
    await first.getByText("Succeeded").waitFor();
    await first.getByText("HTTP 204").waitFor();
    await first.getByRole("button", { name: /^Attempts of ping/ }).click();
    const attempts = admin.getByRole("dialog", { name: "Attempts of ping" });
    await attempts.getByRole("cell", { name: "HTTP 204" }).waitFor();
    await assertAccessible(admin, "webhook delivery attempts");
    await attempts.getByRole("button", { name: "Close" }).click();
    await first.getByRole("button", { name: /^Replay ping/ }).click();
    await deliveries.getByText("The event is sent again as a new delivery").waitFor();
    await waitForWebhook((r) => r.id === ping.id && r.attempt === 2);
    await deliveries.getByRole("row").filter({ has: admin.getByText("Replay of an earlier delivery") }).getByText("Succeeded").waitFor();
    await assertAccessible(admin, "webhook deliveries");
    await screenshot(admin, "webhooks");

    await rowAction(admin, receiverURL, "Edit");
    const edit = admin.getByRole("dialog", { name: "Edit endpoint" });
    await edit.getByRole("radio", { name: "Every event, present and future" }).check();
    await edit.getByLabel("Description").fill("Enrol new learners, open bounce tickets");
    await edit.getByRole("button", { name: "Save" }).click();
    await endpoint.getByText("Every event, present and future").waitFor();
    await endpoint.getByText("Enrol new learners, open bounce tickets").waitFor();

    // A person added by someone else: the deliveries list shows the event without a reload.
    const earlier = new Set((await received()).accepted.filter((r) => r.type === "user.created").map((r) => r.id));
    const added = await asOwner("/users", {
      method: "POST",
      body: { email: "wes.watcher@acme.test", first_name: "Wes", last_name: "Watcher", role: "learner", send_invite: false },
    });
    assert.equal(added.status, 201, await added.text());
    await waitForWebhook((r) => r.type === "user.created" && !earlier.has(r.id));
    await deliveries.getByRole("button", { name: "Refresh" }).click();
    await deliveries.getByRole("row").filter({ hasText: "user.created" }).getByText("Succeeded").first().waitFor();

    // More than a page of deliveries: the older page is loaded once, and what is polled is the newest page alone;
    // a delivery that arrives after it shows on its own, at the top, and every delivery is listed once.
    const endpointId = new URL(admin.url()).searchParams.get("endpoint") ?? "";
    assert.ok(endpointId, "the deliveries of the endpoint are shown");
    for (let i = 0; i < 26; i++) {
      const res = await asOwner(`/webhook-endpoints/${endpointId}/test`, { method: "POST" });
      assert.equal(res.status, 202, await res.text());
    }
    const total = async () => {
      let n = 0;
      for (let cursor = ""; ; ) {
        const res = await asOwner(`/webhook-endpoints/${endpointId}/deliveries?limit=200${cursor ? `&cursor=${cursor}` : ""}`);
        assert.equal(res.status, 200, await res.clone().text());
        const page = (await res.json()) as { data: unknown[]; has_more: boolean; next_cursor?: string };
        n += page.data.length;
        if (!page.has_more || !page.next_cursor) return n;
        cursor = encodeURIComponent(page.next_cursor);
      }
    };
    const listed = (n: number) =>
      admin.waitForFunction(
        (want) => document.querySelector("#deliveries-heading")?.closest("section")?.querySelectorAll("tbody tr").length === want,
        n,
        { timeout: 30_000 },
      );
    await deliveries.getByRole("button", { name: "Refresh" }).click();
    await deliveries.getByRole("button", { name: "Load more" }).click();
    const before = await total();
    assert.ok(before > 25, "more than a page");
    await listed(before);
    const asked: string[] = [];
    admin.on("request", (r) => {
      if (r.url().includes(`/webhook-endpoints/${endpointId}/deliveries`)) asked.push(r.url());
    });
    await receiverAnswers(503);
    const pending = await asOwner(`/webhook-endpoints/${endpointId}/test`, { method: "POST" });
    assert.equal(pending.status, 202, await pending.text());
    await listed(before + 1);
    const top = deliveries.locator("tbody tr").first();
    await top.getByText("HTTP 503").waitFor(); // followed while pending: its failed attempt shows
    await receiverAnswers(204);
    assert.ok(asked.length > 0, "the list was polled");
    assert.deepEqual(
      asked.filter((u) => new URL(u).searchParams.has("cursor")),
      [],
      "only the newest page is asked again",
    );
    assert.equal(await total(), before + 1);
    await listed(before + 1);

    // A rotation: the new secret once, the old one signing beside it.
    await rowAction(admin, receiverURL, "Rotate secret");
    const rotate = admin.getByRole("dialog", { name: "Rotate the signing secret?" });
    await assertAccessible(admin, "webhook rotate confirmation");
    await rotate.getByRole("button", { name: "Rotate secret" }).click();
    const fresh = admin.getByRole("dialog", { name: "The new signing secret" });
    await fresh.getByText(/For 24 hours the old secret keeps signing beside the new one/).waitFor();
    const secret2 = (await fresh.getByTestId("webhook-secret").textContent()) ?? "";
    assert.ok(secret2.startsWith("whsec_") && secret2 !== secret, "a new secret");
    await trustSecret(secret2);
    await fresh.getByRole("button", { name: "Done" }).click();
    await endpoint.getByText(/The previous secret signs too until/).waitFor();
    await rowAction(admin, receiverURL, "Send test ping");
    await waitForWebhook((r) => r.type === "ping" && r.verified_with.length === 2); // both secrets' signatures

    await rowAction(admin, receiverURL, "Disable");
    await endpoint.getByText("Disabled by an administrator").waitFor();
    await endpoint.getByRole("button", { name: /^Actions for/ }).click();
    await admin.getByRole("menuitem", { name: /^Send test ping/ }).getByText("The endpoint is disabled").waitFor();
    await admin.keyboard.press("Escape");
    await rowAction(admin, receiverURL, "Enable");
    await endpoint.getByText("Enabled").waitFor();

    // The receiver answers 410 Gone: the service disables the endpoint and says why, here and on People.
    await receiverAnswers(410);
    await rowAction(admin, receiverURL, "Send test ping");
    await deliveries.getByRole("row").filter({ hasText: "HTTP 410" }).first().waitFor();
    await admin.reload();
    const banner = admin.getByRole("status").filter({ hasText: "A webhook endpoint was disabled" });
    await banner.getByText(receiverURL).waitFor();
    await endpoint.getByText("Disabled by the service: the endpoint answered 410 Gone").waitFor();
    await assertAccessible(admin, "webhooks: disabled by the service");
    await admin.goto("/people");
    const onPeople = admin.getByRole("status").filter({ hasText: "A webhook endpoint was disabled" });
    await onPeople.getByRole("link", { name: "Open the webhooks" }).click();
    await admin.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
    await receiverAnswers(204);
    await rowAction(admin, receiverURL, "Enable");
    await endpoint.getByText("Enabled").waitFor();
    assert.equal(await banner.count(), 0, "the banner is gone once the endpoint is enabled");

    await rowAction(admin, receiverURL, "Delete");
    const del = admin.getByRole("dialog", { name: "Delete this endpoint?" });
    await assertAccessible(admin, "webhook delete confirmation");
    await del.getByRole("button", { name: "Delete endpoint" }).click();
    await admin.getByText(`${receiverURL} was deleted with its deliveries`).waitFor();
    await admin.getByText("No endpoint yet.").waitFor();
    assert.deepEqual((await received()).rejected, [], "every webhook verified");
    assertClean(admin);
  });
});

describe("delivery health and insights", () => {
  test("a domain that blocks the invitations: the banner on People → Individuals, the Domains report", async () => {
    for (const p of fx.blocked) {
      await waitForMail(p.email, 1);
      await deliveryEvent(p.email, "blocked", "554 5.7.1 Service unavailable; client host blocked");
    }
    await admin.goto("/people");
    const banner = admin.getByRole("status").filter({ hasText: "globex.example is blocking the invitations" });
    await banner.getByText(/allow-list/).waitFor();
    await assertAccessible(admin, "people: domain health banner");
    await banner.getByRole("link", { name: "Show the invite-pending people of globex.example" }).click();
    await row(admin, fx.blocked[0]?.email ?? "").waitFor();
    await row(admin, fx.blocked[1]?.email ?? "").waitFor();
    await admin.getByRole("link", { name: "See the delivery report of every domain" }).click();
    await admin.getByRole("heading", { level: 1, name: "Domains" }).waitFor();
    const globex = admin.getByRole("row").filter({ has: admin.getByRole("rowheader", { name: /^globex\.example/ }) });
    await globex.getByText("Blocking", { exact: true }).waitFor();
    await globex.getByText("554 5.7.1 Service unavailable; client host blocked").waitFor();
    await admin.getByRole("row").filter({ has: admin.getByRole("rowheader", { name: /^acme\.test/ }) }).waitFor();
    await assertAccessible(admin, "delivery domains");
    await screenshot(admin, "domains");
  });

  test("the invitation funnel, in total, by week and by domain", async () => {
    await admin.goto("/");
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invitation funnel" }).click();
    await admin.getByRole("heading", { level: 1, name: "Invitation funnel" }).waitFor();
    const funnel = admin.getByRole("list", { name: "The funnel" });
    await funnel.getByText("Accepted").waitFor();
    const accepted = await funnel.getByRole("listitem").filter({ hasText: "Accepted" }).locator(".funnel-value").textContent();
    assert.match(accepted ?? "", /^[1-9]/, "the quick start's acceptance counts");
    await admin.getByLabel("Split by").selectOption("week");
    await admin.waitForURL(/group_by=week/);
    await admin.getByRole("img", { name: /invited, accepted, per week/ }).waitFor();
    await assertAccessible(admin, "invitation funnel");
    await screenshot(admin, "funnel");
    await admin.getByLabel("Split by").selectOption("domain");
    await admin.getByRole("rowheader", { name: "globex.example" }).waitFor();
    await admin.getByRole("rowheader", { name: "acme.test" }).waitFor();
    assertClean(admin);
  });

  test("HR sees the delivery health but not the webhooks, which are for owners and admins", async () => {
    const page = await newPage(await newContext());
    await signIn(page, fx.hr, "Individuals");
    await page.getByRole("status").filter({ hasText: "globex.example is blocking the invitations" }).waitFor();
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Domains" }).waitFor();
    assert.equal(await nav.getByRole("link", { name: "Webhooks" }).count(), 0, "no Webhooks entry for HR");
    await page.goto("/settings/webhooks");
    await page.getByText("Only owners and admins manage the organization's webhooks.").waitFor();
    await assertAccessible(page, "webhooks for owners and admins only");
    const other = await newPage(await newContext());
    await signIn(other, fx.reused, "Individuals");
    await other.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).waitFor();
  });
});

describe("the README's picture", () => {
  test("People → Individuals after a day's work", async () => {
    await deliveryEvent("niklaus.wirth@acme.test", "delivered");
    await deliveryEvent("ada.lovelace@acme.test", "bounce", "550 5.1.1 The email account that you tried to reach does not exist");
    await deliveryEvent("hedy.lamarr@acme.test", "delivered");
    await admin.goto("/people?status=invite_pending");
    await row(admin, "ada.lovelace@acme.test").getByText("Bounced").waitFor();
    await row(admin, "niklaus.wirth@acme.test").getByText("Delivered").waitFor();
    await screenshot(admin, "people");
  });
});

describe("reminders", () => {
  test("Settings → Reminders: the owner turns them on; a bad policy is refused at its field, and nothing typed is lost", async () => {
    await admin.goto("/");
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reminders" }).click();
    await admin.getByRole("heading", { level: 1, name: "Reminders" }).waitFor();
    const enabled = admin.getByLabel("Send reminders to the people who have not accepted their invitation");
    const days = admin.getByLabel("Days after the last invitation");
    const hours = admin.getByLabel("Hours before the link expires");
    const from = admin.getByLabel("From", { exact: true });
    const until = admin.getByLabel("Until", { exact: true });
    assert.equal(await enabled.isChecked(), false, "off until an owner or an admin turns them on");
    assert.equal(await days.inputValue(), "3, 7");
    assert.equal(await admin.getByLabel("At most, per invitation").inputValue(), "3");
    assert.equal(await admin.getByLabel("Stop reminding a person whose invitation bounced", { exact: false }).isChecked(), true);
    await admin.getByText("in the organization's time zone, UTC").waitFor();
    await assertAccessible(admin, "reminders");

    await enabled.check();
    await days.fill("7, 3");
    await hours.fill("24");
    await admin.getByLabel("No reminders at night").check();
    await from.fill("20:00");
    await until.fill("08:00");
    await admin.getByRole("button", { name: "Save" }).click();
    await admin.getByText("after_days must be strictly ascending, got 3 after 7").waitFor();
    assert.equal(await days.getAttribute("aria-invalid"), "true", "the error is the field's");
    assert.deepEqual(
      [await enabled.isChecked(), await days.inputValue(), await hours.inputValue(), await from.inputValue(), await until.inputValue()],
      [true, "7, 3", "24", "20:00", "08:00"],
      "the refused save kept every field as typed",
    );
    await assertAccessible(admin, "reminders: refused");

    await days.fill("3, 7");
    await admin.getByRole("button", { name: "Save" }).click();
    await admin.getByText(/^Saved\. Reminders are on/).waitFor();
    assert.equal(await days.getAttribute("aria-invalid"), null);
    await screenshot(admin, "reminders");
    await admin.reload();
    await admin.getByRole("heading", { level: 1, name: "Reminders" }).waitFor();
    await days.waitFor();
    assert.deepEqual(
      [await enabled.isChecked(), await days.inputValue(), await hours.inputValue(), await from.inputValue(), await until.inputValue()],
      [true, "3, 7", "24", "20:00", "08:00"],
      "the policy holds after a reload",
    );
  });

  test("a person's next reminder, in local time, and why their reminders stopped", async () => {
    const scheduled = "bulk-08@acme.test";
    const stopped = "bulk-09@acme.test";
    // The bulk resend mailed both: the provider's report must be about that email, the latest.
    await waitForMail(stopped, 2);
    const due = await waitForUser(scheduled, (u) => u.next_reminder_at !== null);
    await waitForUser(stopped, (u) => u.next_reminder_at !== null);
    await deliveryEvent(stopped, "bounce", "550 5.1.1 The email account that you tried to reach does not exist");
    await waitForUser(stopped, (u) => u.reminders_stopped === "bounced");

    await findPerson(admin, scheduled);
    const facts = row(admin, scheduled).getByTestId("reminders");
    await facts.getByText(/^Next reminder/).waitFor();
    const local = await admin.evaluate(
      (iso) => new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)),
      due.next_reminder_at ?? "",
    );
    assert.equal(await facts.locator("time").textContent(), local, "the due time in the reader's own time");
    assert.equal(await facts.locator("time").getAttribute("datetime"), due.next_reminder_at);

    await rowAction(admin, scheduled, "Invitation history");
    const dialog = admin.getByRole("dialog", { name: "Invitations of Bulk Person 08" });
    await dialog.getByRole("heading", { name: "Automatic reminders" }).waitFor();
    await dialog.getByText("None since the last invitation").waitFor();
    assert.equal(await dialog.locator("dd time").textContent(), local);
    await assertAccessible(admin, "invitation history: reminders");
    await admin.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    await findPerson(admin, stopped);
    await row(admin, stopped).getByText("Reminders stopped: the invitation bounced").waitFor();
    await rowAction(admin, stopped, "Invitation history");
    const history = admin.getByRole("dialog", { name: "Invitations of Bulk Person 09" });
    await history.getByText("Because the invitation bounced. A resend starts them again.").waitFor();
    await history.getByText("None scheduled").waitFor();
    await admin.keyboard.press("Escape");
    assertClean(admin);
  });

  test("reminders are for owners and admins: HR does not see them", async () => {
    const page = await newPage(await newContext());
    await signIn(page, fx.hr, "Individuals");
    assert.equal(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reminders" }).count(), 0, "no Reminders entry for HR");
    await page.goto("/settings/reminders");
    await page.getByText("Only owners and admins manage the organization's reminders.").waitFor();
  });
});

describe("every screen", () => {
  test("was scanned by axe-core", () => {
    const want = [
      "sign-in",
      "people",
      "people: row menu",
      "people: ordered by a column",
      "set password dialog",
      "edit dialog",
      "invitation history",
      "bulk resend: dry run",
      "import",
      "import: report",
      "audit log",
      "my account",
      "forced password change",
      "needs the People permission",
      "activation form",
      "activation: expired",
      "activation: superseded link",
      "activation: invalid link",
      "activation: done",
      "not found",
      "invite link dialog",
      "invite link shown",
      "organization settings",
      "activation form (de)",
      "webhooks",
      "webhook endpoint form",
      "webhook secret shown",
      "webhook delivery attempts",
      "webhook deliveries",
      "webhook rotate confirmation",
      "webhooks: disabled by the service",
      "webhook delete confirmation",
      "people: domain health banner",
      "delivery domains",
      "invitation funnel",
      "webhooks for owners and admins only",
      "reminders",
      "reminders: refused",
      "invitation history: reminders",
    ];
    assert.deepEqual(
      want.filter((s) => !scannedScreens().includes(s)),
      [],
    );
  });
});


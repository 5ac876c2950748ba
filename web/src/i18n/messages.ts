// The message catalogue of the activation page, keyed. English is the
// reference: every other locale is a partial table, and a missing entry
// falls back to English. Placeholders are {name}.
const en = {
  "activate.checking": "Checking your invitation…",
  "activate.title": "Join {organization}",
  "activate.greeting": "Hello {name}, you have been invited to {organization}. Choose a password to activate your account.",
  "activate.greetingNoName": "You have been invited to {organization}. Choose a password to activate your account.",
  "activate.email": "Email",
  "activate.firstName": "First name",
  "activate.lastName": "Last name",
  "activate.password": "Password",
  "activate.passwordHint": "At least 12 characters. Avoid your name, your email and common words.",
  "activate.confirm": "Repeat the password",
  "activate.mismatch": "The two passwords are not the same.",
  "activate.submit": "Activate my account",
  "activate.submitting": "Activating…",
  "activate.expires": "This invitation is valid until {date}.",
  "activate.done.title": "Your account is active",
  "activate.done.body": "Welcome, {name}. You are signed in.",
  "activate.done.open": "Open the console",
  "activate.done.signIn": "You can now sign in with {email} and your new password.",
  "activate.expired.title": "This invitation has expired",
  "activate.expired.body": "Invitations are valid for a limited time. We can send a new link to the address on file.",
  "activate.expired.renew": "Send me a new link",
  "activate.expired.renewing": "Sending…",
  "activate.expired.sent": "A new invitation is on its way. Check your inbox (and your spam folder) for the latest email.",
  "activate.expiredFinal.body": "It can no longer be renewed. Ask your administrator for a new invitation.",
  "activate.revoked.title": "This link is no longer valid",
  "activate.revoked.superseded": "A newer invitation was sent to you. Use the link in the latest email.",
  "activate.revoked.other": "This invitation was withdrawn. Ask your administrator for a new one.",
  "activate.accepted.title": "This invitation was already used",
  "activate.accepted.body": "Your account is active. Sign in with your email and password.",
  "activate.accepted.signIn": "Go to sign-in",
  "activate.invalid.title": "This link is not valid",
  "activate.invalid.body": "Check that you opened the whole link from the email, or ask your administrator for a new invitation.",
  "activate.error.title": "Something went wrong",
  "activate.error.body": "Please try again in a moment.",
  "activate.rateLimited": "Too many attempts. Try again in a minute.",
  "activate.poweredBy": "Account activation",
} as const;

export type MessageKey = keyof typeof en;
type Catalogue = Partial<Record<MessageKey, string>>;

const catalogues: Record<string, Catalogue> = { en };

/** The locales the catalogue has, English first. */
export const locales = Object.keys(catalogues);

/** The best catalogue for a locale such as "fr-CA": itself, its language, or English. */
function catalogueFor(locale: string | undefined): Catalogue {
  if (!locale) return en;
  return catalogues[locale] ?? catalogues[locale.split("-")[0] ?? ""] ?? en;
}

/** Looks a message up for a locale and fills in its placeholders. */
export function t(locale: string | undefined, key: MessageKey, params: Record<string, string> = {}): string {
  const text = catalogueFor(locale)[key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => params[name] ?? m);
}

/** The language a catalogue answers for a locale, for the page's lang attribute. */
export function languageOf(locale: string | undefined): string {
  if (locale && catalogues[locale]) return locale;
  const lang = locale?.split("-")[0];
  return lang && catalogues[lang] ? lang : "en";
}

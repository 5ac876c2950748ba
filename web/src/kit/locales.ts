import type { Schemas } from "@invited/client";

export type EmailLocale = Schemas["Organization"]["default_locale"];

/** The languages that have invitation emails, each named in itself. */
export const EMAIL_LOCALES: { value: EmailLocale; label: string }[] = [
  { value: "en", label: "English" },
  { value: "de", label: "Deutsch" },
  { value: "es", label: "Español" },
  { value: "fr", label: "Français" },
  { value: "nl", label: "Nederlands" },
  { value: "pt-BR", label: "Português (Brasil)" },
];

/** A language's name, or the tag itself for one without emails. */
export function localeLabel(tag: string): string {
  return EMAIL_LOCALES.find((l) => l.value === tag)?.label ?? tag;
}

/** Lifetimes of an invitation link offered in the forms, in hours (the API's unit). */
export const LIFETIMES: { hours: number; label: string }[] = [
  { hours: 24, label: "1 day" },
  { hours: 72, label: "3 days" },
  { hours: 168, label: "7 days" },
  { hours: 336, label: "14 days" },
  { hours: 720, label: "30 days" },
];

/** "7 days", or "36 hours" for a lifetime that is not whole days. */
export function lifetimeLabel(hours: number): string {
  if (hours % 24 === 0) return hours === 24 ? "1 day" : `${hours / 24} days`;
  return `${hours} hours`;
}

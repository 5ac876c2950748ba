// The console's screens in the sidebar, in order. A new screen adds its
// route in App.tsx and, when it belongs in the menu, an entry here.
export interface NavItem {
  to: string;
  label: string;
  section: string;
  /** Only people managers see it. */
  managers?: boolean;
}

export const NAV: NavItem[] = [
  { to: "/people", label: "Individuals", section: "People", managers: true },
  { to: "/import", label: "Import", section: "People", managers: true },
  { to: "/audit", label: "Audit log", section: "People", managers: true },
  { to: "/settings", label: "Organization", section: "Settings", managers: true },
  { to: "/account", label: "My account", section: "You" },
];

// The console's screens in the sidebar, in order. A new screen adds its
// route in App.tsx and, when it belongs in the menu, an entry here.
interface NavItem {
  to: string;
  label: string;
  section: string;
  /** Only people managers see it. */
  managers?: boolean;
  /** Only owners and admins see it. */
  owners?: boolean;
}

export const NAV: NavItem[] = [
  { to: "/people", label: "Individuals", section: "People", managers: true },
  { to: "/import", label: "Import", section: "People", managers: true },
  { to: "/audit", label: "Audit log", section: "People", managers: true },
  { to: "/domains", label: "Domains", section: "Delivery", managers: true },
  { to: "/funnel", label: "Invitation funnel", section: "Insights", managers: true },
  { to: "/settings", label: "Organization", section: "Settings", managers: true },
  { to: "/settings/reminders", label: "Reminders", section: "Settings", owners: true },
  { to: "/settings/webhooks", label: "Webhooks", section: "Settings", owners: true },
  { to: "/account", label: "My account", section: "You" },
];

import type { ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";

import { abilities, useMe } from "./api/hooks";
import { signOut } from "./api/session";
import { ROLE_LABEL, fullName } from "./kit/labels";
import { NAV } from "./nav";

/** The console's frame: the sidebar menu, who is signed in, and the screen. */
export function Shell(props: { children: ReactNode }) {
  const me = useMe();
  const navigate = useNavigate();
  const can = abilities(me.data);
  const items = NAV.filter(
    (n) => (!n.managers || can.managesPeople || can.needsPeoplePermission) && (!n.owners || can.managesOrganization),
  );
  const sections = [...new Set(items.map((n) => n.section))];
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <svg aria-hidden="true" viewBox="0 0 32 32" width="28" height="28">
            <rect width="32" height="32" rx="7" fill="currentColor" />
            <path d="M8 11l8 6 8-6M8 11h16v11H8z" fill="none" stroke="#fff" strokeWidth="2.2" strokeLinejoin="round" />
          </svg>
          <span>invited</span>
        </div>
        <nav aria-label="Main">
          {sections.map((section) => (
            <div key={section} className="nav-section">
              <p className="nav-heading">{section}</p>
              <ul>
                {items
                  .filter((n) => n.section === section)
                  .map((n) => (
                    <li key={n.to}>
                      <NavLink to={n.to} className="nav-link" end>
                        {n.label}
                      </NavLink>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </nav>
        <div className="sidebar-footer">
          {me.data && (
            <div className="whoami">
              <span className="whoami-name">{fullName(me.data) || me.data.email}</span>
              <span className="muted small">
                {me.data.email} · {ROLE_LABEL[me.data.role]}
              </span>
            </div>
          )}
          <button
            type="button"
            className="button button-ghost"
            onClick={() => {
              void signOut().finally(() => navigate("/sign-in"));
            }}
          >
            Sign out
          </button>
          <a className="muted small" href="/docs/">
            API documentation
          </a>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}

import { useEffect, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";

import { abilities, useMe, useSession } from "./api/hooks";
import { restore } from "./api/session";
import { Loading } from "./kit/Loading";
import { Shell } from "./Shell";
import { Account } from "./screens/Account";
import { Audit } from "./screens/Audit";
import { ChangePassword } from "./screens/ChangePassword";
import { Domains } from "./screens/Domains";
import { Import } from "./screens/Import";
import { Insights } from "./screens/Insights";
import { NeedsPeoplePermission, NotFound } from "./screens/Errors";
import { People } from "./screens/People";
import { Reminders } from "./screens/Reminders";
import { Settings } from "./screens/Settings";
import { SignIn } from "./screens/SignIn";
import { Webhooks } from "./screens/Webhooks";

/**
 * The console's route table (the activation page is apart: main.tsx).
 * The sign-in page works without a session; every other screen needs
 * one, and the people screens need the right to manage people.
 */
export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignIn />} />
      <Route path="*" element={<SignedIn />} />
    </Routes>
  );
}

function SignedIn() {
  const s = useSession();
  const location = useLocation();
  useEffect(() => {
    if (s.status === "unknown") void restore();
  }, [s.status]);
  if (s.status === "unknown") return <Loading />;
  if (s.status === "signed_out") {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  if (s.passwordChangeRequired) return <ChangePassword forced />;
  return (
    <Shell>
      <Routes>
        <Route path="/" element={<Home />} />
        <Route path="/people" element={<Managers>{<People />}</Managers>} />
        <Route path="/import" element={<Managers>{<Import />}</Managers>} />
        <Route path="/audit" element={<Managers>{<Audit />}</Managers>} />
        <Route path="/settings" element={<Managers>{<Settings />}</Managers>} />
        <Route path="/domains" element={<Managers>{<Domains />}</Managers>} />
        <Route path="/funnel" element={<Managers>{<Insights />}</Managers>} />
        <Route path="/settings/reminders" element={<Reminders />} />
        <Route path="/settings/webhooks" element={<Webhooks />} />
        <Route path="/account" element={<Account />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Shell>
  );
}

function Home() {
  const me = useMe();
  if (!me.data) return <Loading />;
  const can = abilities(me.data);
  return <Navigate to={can.managesPeople || can.needsPeoplePermission ? "/people" : "/account"} replace />;
}

/** A people screen: a learner is sent to their account, a curator without the permission is told so. */
function Managers(props: { children: ReactNode }) {
  const me = useMe();
  if (!me.data) return <Loading />;
  const can = abilities(me.data);
  if (can.needsPeoplePermission) return <NeedsPeoplePermission />;
  if (!can.managesPeople) return <Navigate to="/account" replace />;
  return <>{props.children}</>;
}

import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";

import { Loading } from "./kit/Loading";
import "./styles.css";

// Two apps in one document, each loaded only where it shows: an invitee
// opening their link loads the activation page alone, without the
// console's screens, router or cache of the API's answers.
const Activate = lazy(() => import("./screens/Activate").then((m) => ({ default: m.Activate })));
const Console = lazy(() => import("./Console").then((m) => ({ default: m.Console })));

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Suspense fallback={<Loading />}>{window.location.pathname === "/activate" ? <Activate /> : <Console />}</Suspense>
    </StrictMode>,
  );
}

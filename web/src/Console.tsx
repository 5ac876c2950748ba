import { QueryClientProvider } from "@tanstack/react-query";
import { BrowserRouter } from "react-router";

import { queryClient } from "./api/hooks";
import { App } from "./App";

/** The console: its screens, with the router and the cache of the API's answers they share. */
export function Console() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  );
}

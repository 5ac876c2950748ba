import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The build is committed and embedded in the binary, so it must be the
// same bytes on every machine: no source maps with absolute paths, no
// build timestamps, content-hashed names only.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev` next to `make run`: the API answers on :8080.
    proxy: Object.fromEntries(
      ["/auth", "/users", "/me", "/jobs", "/audit-events", "/invites", "/organization", "/delivery", "/insights", "/webhook-endpoints", "/webhook-deliveries", "/openapi.yaml"].map((p) => [p, "http://localhost:8080"]),
    ),
  },
});

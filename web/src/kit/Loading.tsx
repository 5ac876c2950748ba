/** What shows while a screen waits for its data or its code. */
export function Loading() {
  return (
    <div className="loading" role="status" aria-live="polite">
      Loading…
    </div>
  );
}

import { useState } from "react";

/** Copies a secret shown once to the clipboard. */
export function CopyButton(props: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button-small"
      aria-label={props.label}
      onClick={() => {
        void navigator.clipboard?.writeText(props.value).then(() => setCopied(true));
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

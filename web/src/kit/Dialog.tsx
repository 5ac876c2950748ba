import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A modal dialog on the browser's own <dialog>: it traps focus, closes on
 * Escape and gives focus back to what opened it.
 */
export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { onClose } = props;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    d.showModal();
    const cancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    d.addEventListener("cancel", cancel);
    return () => {
      d.removeEventListener("cancel", cancel);
      d.close();
      opener?.focus();
    };
  }, [onClose]);
  return (
    <dialog ref={ref} className={props.wide ? "dialog dialog-wide" : "dialog"} aria-labelledby={titleId}>
      <header className="dialog-header">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>
      <div className="dialog-body">{props.children}</div>
      {props.footer && <footer className="dialog-footer">{props.footer}</footer>}
    </dialog>
  );
}

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

/** What a dialog's main button does: submit the dialog's form, or run onClick. */
type DialogAction = {
  label: string;
  /** Shown instead of the label while busy. */
  busyLabel?: string;
  /** The action is under way: the button is disabled. */
  busy?: boolean;
  disabled?: boolean;
  /** The action destroys something: the button says so by its colour. */
  danger?: boolean;
} & ({ form: string; onClick?: never } | { onClick: () => void; form?: never });

/**
 * A dialog's footer buttons, for Dialog's footer: Cancel when there is
 * something to cancel, then the dialog's action ("Done" alone when the
 * dialog only reports).
 */
export function DialogActions(props: { onCancel?: () => void; action: DialogAction }) {
  const { action: a } = props;
  return (
    <>
      {props.onCancel && (
        <button type="button" className="button button-ghost" onClick={props.onCancel}>
          Cancel
        </button>
      )}
      <button
        type={a.form ? "submit" : "button"}
        form={a.form}
        className={a.danger ? "button button-danger" : "button button-primary"}
        disabled={a.busy || a.disabled}
        onClick={a.onClick}
      >
        {a.busy && a.busyLabel ? a.busyLabel : a.label}
      </button>
    </>
  );
}

import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";

export interface MenuItem {
  label: string;
  onSelect: () => void;
  /** Why the item cannot be chosen now; shown under it. */
  disabledReason?: string;
  danger?: boolean;
}

/**
 * The ⋮ row menu: a menu button (WAI-ARIA menu pattern). Arrow keys move
 * between items, Home and End jump, Escape closes and returns focus.
 * A disabled item stays focusable so its reason can be read.
 */
export function RowMenu(props: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (!open) return;
    const item = list.current?.querySelectorAll<HTMLElement>("[role=menuitem]")[active];
    item?.focus();
  }, [open, active]);

  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!list.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const choose = (item: MenuItem) => {
    if (item.disabledReason) return;
    close(false);
    item.onSelect();
  };
  const onKey = (e: KeyboardEvent) => {
    const n = props.items.length;
    switch (e.key) {
      case "ArrowDown":
        setActive((i) => (i + 1) % n);
        break;
      case "ArrowUp":
        setActive((i) => (i - 1 + n) % n);
        break;
      case "Home":
        setActive(0);
        break;
      case "End":
        setActive(n - 1);
        break;
      case "Escape":
        close(true);
        break;
      case "Tab":
        close(false);
        return;
      default:
        return;
    }
    e.preventDefault();
  };

  return (
    <div className="menu">
      <button
        ref={button}
        type="button"
        className="icon-button menu-button"
        aria-label={props.label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => {
          setActive(0);
          setOpen((o) => !o);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            setActive(e.key === "ArrowDown" ? 0 : props.items.length - 1);
            setOpen(true);
          }
        }}
      >
        ⋮
      </button>
      {open && (
        <ul ref={list} id={menuId} role="menu" aria-label={props.label} className="menu-list" onKeyDown={onKey}>
          {props.items.map((item, i) => (
            <li key={item.label} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={i === active ? 0 : -1}
                aria-disabled={item.disabledReason ? true : undefined}
                className={item.danger ? "menu-item danger" : "menu-item"}
                onClick={() => choose(item)}
              >
                <span>{item.label}</span>
                {item.disabledReason && <small className="menu-reason">{item.disabledReason}</small>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

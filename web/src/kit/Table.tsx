import type { ReactNode } from "react";

/**
 * A column a table can be ordered by: its header is a button that orders
 * the table by it, and says so (aria-sort) while it does.
 */
export interface ColumnSort {
  /** The direction the column orders the table in. */
  direction: "ascending" | "descending";
  /** Whether the table is ordered by this column now. */
  active: boolean;
  onSort: () => void;
}

/** A column of a table; numeric ones are right-aligned, header and cells alike. */
export interface Column {
  label: ReactNode;
  num?: boolean;
  /** The header cell's own class, such as col-check or col-menu. */
  className?: string;
  sort?: ColumnSort;
}

/** A table's header row, from its columns. */
export function TableHead(props: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c, i) => {
          const className = [c.num ? "num" : "", c.className ?? ""].filter(Boolean).join(" ") || undefined;
          if (!c.sort) {
            return (
              <th key={i} scope="col" className={className}>
                {c.label}
              </th>
            );
          }
          const { active, direction, onSort } = c.sort;
          return (
            <th key={i} scope="col" className={className} aria-sort={active ? direction : undefined}>
              <button type="button" className={active ? "sort-button sort-active" : "sort-button"} onClick={onSort}>
                {c.label}
                <span className="sort-mark" aria-hidden="true">
                  {direction === "ascending" ? "↑" : "↓"}
                </span>
              </button>
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** A right-aligned numeric cell. */
export function NumCell(props: { children: ReactNode }) {
  return <td className="num">{props.children}</td>;
}

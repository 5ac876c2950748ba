import type { ReactNode } from "react";

/** A column of a report table; numeric ones are right-aligned, header and cells alike. */
export interface Column {
  label: ReactNode;
  num?: boolean;
}

/** A report table's header row, from its columns. */
export function TableHead(props: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c, i) => (
          <th key={i} scope="col" className={c.num ? "num" : undefined}>
            {c.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** A right-aligned numeric cell. */
export function NumCell(props: { children: ReactNode }) {
  return <td className="num">{props.children}</td>;
}

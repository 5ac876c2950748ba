import { useId, type InputHTMLAttributes, type ReactNode } from "react";

/** A labelled input with its hint and the API's errors for it. */
export function Field(
  props: { label: string; hint?: ReactNode; errors?: string[] } & Omit<InputHTMLAttributes<HTMLInputElement>, "id">,
) {
  const { label, hint, errors, ...input } = props;
  const id = useId();
  const described = [hint ? `${id}-hint` : "", errors?.length ? `${id}-errors` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={errors?.length ? true : undefined} aria-describedby={described || undefined} {...input} />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <ErrorList id={`${id}-errors`} errors={errors} />
    </div>
  );
}

/** The API's errors about a field or a group of fields; nothing when there are none. */
export function ErrorList(props: { id: string; errors?: string[] | undefined }) {
  if (!props.errors?.length) return null;
  return (
    <ul id={props.id} className="field-errors">
      {props.errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

/** A labelled select. */
export function Select(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <div className="field field-inline">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

import { useState, type FormEvent } from "react";

import { useChangeOwnPassword, useMe } from "../api/hooks";
import { renewAfterPasswordChange, signOut } from "../api/session";
import { Field } from "../kit/Field";
import { Notice, ProblemNotice, fieldErrors } from "../kit/Notice";

/**
 * Changing one's own password. Forced after an administrator set a
 * temporary one: nothing else opens until it is done. The change ends
 * every session, so the console signs in again with the new password.
 */
export function ChangePassword(props: { forced?: boolean }) {
  const me = useMe();
  const change = useChangeOwnPassword();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [done, setDone] = useState(false);
  const mismatch = repeat !== "" && next !== repeat;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mismatch || !me.data) return;
    await change.mutateAsync({ current_password: current, new_password: next }).then(
      async () => {
        await renewAfterPasswordChange(me.data.email, next);
        setDone(true);
        setCurrent("");
        setNext("");
        setRepeat("");
      },
      () => undefined, // shown from change.error
    );
  };

  const form = (
    <form onSubmit={submit} className="stack">
      {done && <Notice kind="success">Your password was changed.</Notice>}
      <ProblemNotice error={change.error && fieldErrors(change.error, "new_password").length === 0 && fieldErrors(change.error, "current_password").length === 0 ? change.error : null} />
      <Field
        label={props.forced ? "Temporary password" : "Current password"}
        type="password"
        autoComplete="current-password"
        required
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        errors={fieldErrors(change.error, "current_password")}
      />
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        value={next}
        onChange={(e) => setNext(e.target.value)}
        hint="At least 12 characters, not your name or email, hard to guess."
        errors={fieldErrors(change.error, "new_password")}
      />
      <Field
        label="Repeat the new password"
        type="password"
        autoComplete="new-password"
        required
        value={repeat}
        onChange={(e) => setRepeat(e.target.value)}
        errors={mismatch ? ["The two passwords are not the same."] : []}
      />
      <div className="row">
        <button type="submit" className="button button-primary" disabled={change.isPending || mismatch}>
          {change.isPending ? "Changing…" : "Change password"}
        </button>
        {props.forced && (
          <button type="button" className="button button-ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        )}
      </div>
    </form>
  );

  if (!props.forced) return form;
  return (
    <main className="centered">
      <div className="card card-narrow">
        <h1 className="card-title">Choose your own password</h1>
        <p>
          An administrator set a temporary password for {me.data?.email ?? "your account"}. Choose a new one to
          continue.
        </p>
        {form}
      </div>
    </main>
  );
}

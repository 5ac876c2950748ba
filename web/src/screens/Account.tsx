import { useMe } from "../api/hooks";
import { Loading } from "../kit/Loading";
import { ROLE_LABEL, STATUS_LABEL, fullName } from "../kit/labels";
import { ChangePassword } from "./ChangePassword";

/** The signed-in person's own profile and password: what every role may see. */
export function Account() {
  const me = useMe();
  if (!me.data) return <Loading />;
  const u = me.data;
  return (
    <div className="page">
      <header className="page-header">
        <h1>My account</h1>
      </header>
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{fullName(u) || "—"}</dd>
          <dt>Email</dt>
          <dd>{u.email}</dd>
          <dt>Role</dt>
          <dd>{ROLE_LABEL[u.role]}</dd>
          <dt>Status</dt>
          <dd>{STATUS_LABEL[u.status]}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        <ChangePassword />
      </section>
    </div>
  );
}

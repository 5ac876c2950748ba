import { Link } from "react-router";

/** A curator without the People permission, on a people screen. */
export function NeedsPeoplePermission() {
  return (
    <div className="page">
      <div className="card empty">
        <h1>You need the People permission</h1>
        <p>
          Curators manage people only with the <strong>People</strong> permission. Ask an owner, an admin or HR to
          grant it to you.
        </p>
        <p>
          <Link to="/account">Go to my account</Link>
        </p>
      </div>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="page">
      <div className="card empty">
        <h1>Page not found</h1>
        <p>There is nothing at this address.</p>
        <p>
          <Link to="/">Go to the start page</Link>
        </p>
      </div>
    </div>
  );
}

// The client against a running invited: INVITED_URL names it, and
// INVITED_ORG, INVITED_EMAIL and INVITED_PASSWORD an owner to sign in as.
// The Go test web/e2e TestTypeScriptClient starts the server and runs this.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import { createInvitedClient, ProblemError, unwrap, type Schemas } from "../src/index.js";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through go test ./web/e2e`);
  return v;
};

describe("the invited client", () => {
  const baseUrl = env("INVITED_URL");
  let session: Schemas["TokenResponse"];
  const client = createInvitedClient({ baseUrl, token: () => session?.access_token });

  before(async () => {
    session = await unwrap(
      client.POST("/auth/token", {
        body: { organization: env("INVITED_ORG"), email: env("INVITED_EMAIL"), password: env("INVITED_PASSWORD") },
      }),
    );
  });

  test("sends the bearer token and types the answers", async () => {
    const me = await unwrap(client.GET("/me"));
    assert.equal(me.email, env("INVITED_EMAIL"));
    const counts = await unwrap(client.GET("/users/counts"));
    assert.equal(typeof counts.invite_pending, "number");
  });

  test("leaves out the fields the server fills in", async () => {
    // role and send_invite have server defaults: the request type makes them optional.
    const user = await unwrap(client.POST("/users", { body: { email: `ts-client-${Date.now()}@example.com` } }));
    assert.equal(user.role, "learner");
    assert.equal(user.status, "invite_pending");
    const page = await unwrap(client.GET("/users", { params: { query: { q: user.email, status: ["invite_pending"] } } }));
    assert.deepEqual(
      page.data.map((u) => u.id),
      [user.id],
    );
    // temporary and generate too.
    const set = await unwrap(client.PUT("/users/{id}/password", { params: { path: { id: user.id } }, body: { generate: true } }));
    assert.equal(set.user.must_change_password, true);
    assert.ok(set.password && set.password.length >= 12);
  });

  test("throws problems with their code and field errors", async () => {
    await assert.rejects(
      unwrap(client.POST("/users", { body: { email: "not an email" } })),
      (err: unknown) => {
        assert.ok(err instanceof ProblemError);
        assert.equal(err.status, 400);
        assert.equal(err.code, "invalid_request");
        assert.equal(err.fieldErrors("email").length, 1);
        assert.ok(err.problem.request_id);
        return true;
      },
    );
    const anonymous = createInvitedClient({ baseUrl });
    await assert.rejects(unwrap(anonymous.GET("/me")), (err: unknown) => err instanceof ProblemError && err.code === "unauthorized");
  });

  test("refreshes a session, once per refresh token", async () => {
    const first = await unwrap(
      client.POST("/auth/token", {
        body: { organization: env("INVITED_ORG"), email: env("INVITED_EMAIL"), password: env("INVITED_PASSWORD") },
      }),
    );
    assert.ok(first.refresh_token);
    const next = await unwrap(client.POST("/auth/refresh", { body: { refresh_token: first.refresh_token } }));
    assert.ok(next.refresh_token && next.refresh_token !== first.refresh_token);
    await assert.rejects(
      unwrap(client.POST("/auth/refresh", { body: { refresh_token: first.refresh_token } })),
      (err: unknown) => err instanceof ProblemError && err.code === "refresh_token_reused",
    );
    await unwrap(client.POST("/auth/logout", { body: { refresh_token: next.refresh_token ?? "" } }));
  });
});

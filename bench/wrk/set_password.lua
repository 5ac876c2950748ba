-- PUT /users/{id}/password with a policy-passing password, each request to
-- the next user of the file BENCH_IDS (a set disjoint from the resend one).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

setup = common.numbered

local next_id
function init(args)
  common.auth()
  wrk.headers["Content-Type"] = "application/json"
  next_id = common.rotation(common.lines("BENCH_IDS"))
end

local body = '{"password":"quartz-lantern-meadow-91-orbit","temporary":true}'

function request()
  return wrk.format("PUT", "/users/" .. next_id() .. "/password", nil, body)
end

done = common.done

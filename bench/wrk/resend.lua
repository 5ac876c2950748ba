-- POST /users/{id}/resend-invite, each request to the next invite-pending
-- user of the file BENCH_IDS, so every request of a run resends a
-- different user.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

setup = common.numbered

local next_id
function init(args)
  common.auth()
  next_id = common.rotation(common.lines("BENCH_IDS"))
end

function request()
  return wrk.format("POST", "/users/" .. next_id() .. "/resend-invite")
end

done = common.done

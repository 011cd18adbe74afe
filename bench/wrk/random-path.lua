-- Requests a random path per request from a list, with fixed headers. Deterministic: each
-- thread seeds from the given seed plus its number and pre-formats its requests at start, so the
-- load generator spends its (shared) CPU on sending, not on building requests. A thread cycles
-- through 4,096 requests (two threads: ~8,000 distinct paths of the 40,000 4 KB files at 100,000
-- files); WRK_REQUESTS=N in the environment pre-formats N per thread instead, for a wider spread.
--
--   wrk -s random-path.lua URL -- PATHS_FILE SEED [Header: value ...]

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  local paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  local headers = {}
  for i = 3, #args do
    local k, v = args[i]:match("^([^:]+):%s*(.*)$")
    if k then headers[k] = v end
  end
  math.randomseed(tonumber(args[2]) + (thread_number or 0))
  local count = tonumber(os.getenv("WRK_REQUESTS") or "") or math.min(4096, math.max(#paths, 1) * 4)
  requests = {}
  for i = 1, count do
    requests[i] = wrk.format("GET", paths[math.random(#paths)], headers)
  end
  index = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end

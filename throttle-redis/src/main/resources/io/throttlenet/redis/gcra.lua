-- throttle-net: GCRA token buckets in Redis, one or several charged atomically (all or nothing).
--
-- KEYS: one string per bucket (for a multi-dimensional limiter, all under one hash tag).
-- ARGV[1]: the operation; ARGV[2], ARGV[3]: its two scalars; then, from ARGV[4], one group of
-- GROUP values per key: interval (ns per permit), tolerance (burst * interval), and the
-- operation's own values (cost, or permits; a booking's handle: end and charge instants).
--
-- Time is the server's (TIME), never a client's. Lua numbers are doubles, exact for integers up
-- to 2^53, and nanoseconds since 1970 need 2^61; so every call measures time in nanoseconds since
-- the start of the current second (`sec`) and each key stores its instants relative to the second
-- it was last written in (field s). Instants reach at most 2^52 ns (about 52 days) ahead and keys
-- live no longer than that, so every value and every shift stays an exact integer. Handles sent
-- to clients are (second, nanoseconds since it) pairs, exact across calls.
--
-- A key holds five doubles packed by Lua's struct library (one GET and one SET with its TTL per
-- write: a hash needed HMGET, HSET and PEXPIRE, and formatting its fields as strings cost about as
-- much again). Doubles hold these integers exactly.
-- Fields: s = origin second; t = theoretical arrival time (the instant the bucket is full
-- again); w = latest release time of a booking that had to wait (refunds never give back under
-- one); r = instant of the last pause, restriction, reset or rate change (bookings charged before
-- it are not refunded: the new bound already accounts for them); i = the interval set by a rate
-- change, or 0, which then overrides the callers' (their burst stays: tolerance = burst * i). A
-- missing key is a full bucket; every write sets a TTL that outlives every field's meaning, so an
-- expired key and a full bucket agree; a key holding a rate change lives at least RATE_TTL after
-- its last write, so an idle fleet keeps the rate it was steered to.

local GROUP = 7
local MAX_AHEAD = 4503599627370496 -- 2^52 ns
local RATE_TTL = 86400000 -- ms
local LAYOUT = 'ddddd' -- s, t, w, r, i
local SIZE = 40

local time = redis.call('TIME')
local sec = tonumber(time[1])
local now = tonumber(time[2]) * 1000

local op = ARGV[1]
local n = #KEYS

local function fmt(x)
  return string.format('%.0f', x)
end

local function arg(d, i)
  return tonumber(ARGV[3 + (d - 1) * GROUP + i])
end

-- A bucket with its interval (i) and tolerance (tol): the caller's, unless a rate change set i.
local function load(key, d)
  local v = redis.call('GET', key)
  local interval, tol = arg(d, 1), arg(d, 2)
  local b
  local i = 0
  if not v then
    b = { t = now, w = now - 1, r = now - 1 }
  elseif #v ~= SIZE then
    error('throttle-net: ' .. key .. ' does not hold a throttle-net bucket')
  else
    local s, t, w, r
    s, t, w, r, i = struct.unpack(LAYOUT, v)
    local shift = (sec - s) * 1000000000
    b = { t = t - shift, w = w - shift, r = r - shift }
  end
  if i > 0 then
    b.set = true
    b.tol = tol / interval * i
    b.i = i
  else
    b.tol = tol
    b.i = interval
  end
  return b
end

local function store(key, b)
  local last = math.max(b.t, b.w)
  local ttl = math.ceil((last - now) / 1000000)
  if ttl < 0 then ttl = 0 end
  local i = 0
  if b.set then
    i = b.i
    ttl = math.max(ttl, RATE_TTL)
  end
  redis.call('SET', key, struct.pack(LAYOUT, sec, b.t, b.w, b.r, i), 'PX', fmt(ttl + 1000))
end

-- An instant sent by a client as (second, ns since it), relative to this call's second.
local function instant(d, i)
  return (arg(d, i) - sec) * 1000000000 + arg(d, i + 1)
end

local buckets = {}
for d = 1, n do
  buckets[d] = load(KEYS[d], d)
end

if op == 'reserve' then
  -- ARGV[2] = longest acceptable wait (ns); ARGV[3] = extra permits to lease if free at once
  -- (one key), or per dimension its value 4 (several). Every dimension's cost is booked at its
  -- earliest slot; the caller is released when the slowest one allows. Returns {1, wait, sec,
  -- now, leased (one key), end_1 .. end_n, interval_1 .. n, leased_1 .. n} if booked (the
  -- intervals in force, so callers learn a rate change), else {0, wait, sec, now, 0, the
  -- dimension that binds} and nothing is written.
  local maxWait = tonumber(ARGV[2])
  local wait = 0
  local binding = 1
  local tooFar = false
  local next = {}
  for d = 1, n do
    local b = buckets[d]
    local interval, tol, cost = b.i, b.tol, arg(d, 3)
    next[d] = math.max(b.t, now) + cost * interval
    if cost > 0 then
      local w = next[d] - tol - now
      if w > wait then
        wait = w
        binding = d
      end
      tooFar = tooFar or next[d] - now > MAX_AHEAD
    end
  end
  if wait > maxWait or tooFar then
    return { 0, wait, sec, now, 0, binding }
  end
  local result = { 1, wait, sec, now, 0 }
  for d = 1, n do
    local b = buckets[d]
    local extra = 0
    if arg(d, 3) > 0 then
      b.t = next[d]
      if wait > 0 then
        b.w = math.max(b.w, now + wait)
      else
        -- a lease: permits free at once, booked now for the caller to spend locally
        local want = math.max(tonumber(ARGV[3]), arg(d, 4))
        if want > 0 then
          extra = math.max(math.min(want, math.floor((now + b.tol - b.t) / b.i)), 0)
          b.t = b.t + extra * b.i
        end
      end
      store(KEYS[d], b)
    end
    if n == 1 then
      result[5] = extra
    end
    result[5 + d] = b.t
    result[5 + n + d] = b.i
    result[5 + 2 * n + d] = extra
  end
  return result
elseif op == 'peek' then
  -- ARGV per dimension: interval, tolerance, cost. Returns {wait, available_1 .. available_n}.
  local wait = 0
  local result = { 0 }
  for d = 1, n do
    local b = buckets[d]
    local interval, tol, cost = b.i, b.tol, arg(d, 3)
    if cost > 0 then
      wait = math.max(wait, math.max(b.t, now) + cost * interval - tol - now)
    end
    local owed = math.max(b.t - now, 0)
    result[d + 1] = math.min(math.floor((tol - owed) / interval), math.floor(tol / interval))
  end
  result[1] = wait
  return result
elseif op == 'cancel' then
  -- A waiting booking given back unused: only if no later booking depends on it (its end is
  -- still the bucket's t) and nothing restricted the bucket since. Returns {refunded_1 .. n}.
  local result = {}
  for d = 1, n do
    local b = buckets[d]
    local interval, cost = b.i, arg(d, 3)
    result[d] = 0
    if cost > 0 and b.t == instant(d, 4) and instant(d, 6) > b.r then
      b.t = b.t - cost * interval
      result[d] = cost
      store(KEYS[d], b)
    end
  end
  return result
elseif op == 'settle' then
  -- A reservation corrected once its real cost is known: per dimension, a positive value is
  -- charged now (an overdraft later callers wait out); a negative one is given back. In full if
  -- the booking is still the last one (as for cancel); otherwise only while nobody is booked to
  -- wait, and at most what of the charge still weighs (its end minus now). Never for a charge
  -- made before a pause, restriction or reset. Returns the permits given back per dimension.
  local result = {}
  for d = 1, n do
    local b = buckets[d]
    local interval, delta = b.i, arg(d, 3)
    result[d] = 0
    if delta > 0 then
      b.t = math.min(math.max(b.t, now) + delta * interval, now + MAX_AHEAD)
      store(KEYS[d], b)
    elseif delta < 0 and instant(d, 6) > b.r then
      local back
      if b.t == instant(d, 4) then
        back = -delta * interval
      elseif now >= b.w then
        back = math.min(-delta * interval, instant(d, 4) - now)
      else
        back = 0
      end
      if back > 0 then
        b.t = b.t - back
        result[d] = math.floor(back / interval)
        store(KEYS[d], b)
      end
    end
  end
  return result
elseif op == 'pause' or op == 'limit' then
  -- pause: ARGV[2] = its length from now (ns); nothing before it, then one permit at its end.
  -- limit: per dimension, ARGV value 3 = the most that may be available now (may be negative).
  for d = 1, n do
    local b = buckets[d]
    local interval, tol = b.i, b.tol
    local ahead
    if op == 'pause' then
      ahead = tonumber(ARGV[2]) + tol - interval
    else
      local permits = arg(d, 3)
      ahead = tol - permits * interval
    end
    -- A pause already over, or a bound at or above the burst, changes nothing.
    if ahead > 0 and (op == 'limit' or tonumber(ARGV[2]) > 0) then
      local target = now + math.min(ahead, MAX_AHEAD)
      if target > b.t then
        b.t = target
        b.r = now
        store(KEYS[d], b)
      end
    end
  end
  return { 1 }
elseif op == 'rate' then
  -- Per dimension, ARGV value 3 = the new interval (0: unchanged), stored so that it overrides
  -- every caller's; the burst stays. Permits available now stay available (the time owed is
  -- scaled); bookings that wait keep their release times and later ones queue behind them at the
  -- new rate. Charges made before are not refunded (r). Returns {1}.
  for d = 1, n do
    local b = buckets[d]
    local interval = arg(d, 3)
    if interval > 0 then
      local tol = b.tol / b.i * interval
      local owed = b.t - now
      if owed > b.tol then
        b.t = math.min(b.t - b.tol + tol, now + MAX_AHEAD)
      elseif owed > 0 then
        b.t = now + math.ceil(owed / b.i * interval)
      end
      b.i = interval
      b.tol = tol
      b.set = true
      b.r = now
      store(KEYS[d], b)
    end
  end
  return { 1 }
elseif op == 'reset' then
  -- Full again now. Charges made before are never refunded (r), nor refunded under the old
  -- bookings (w keeps the old t, so the key also lives as long as they could matter).
  for d = 1, n do
    local b = buckets[d]
    b.w = math.max(b.w, b.t)
    b.t = now
    b.r = now
    store(KEYS[d], b)
  end
  return { 1 }
end
return redis.error_reply('throttle-net: unknown operation ' .. tostring(op))

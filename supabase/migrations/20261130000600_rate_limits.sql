-- Shared rate limits (issue 9, findings 1 and 2): token buckets kept in
-- Postgres, so every replica of the portal draws from the same bucket and a
-- restart forgets nothing. lib/ratelimit is the only caller, through the named
-- service-role path "ratelimit" (or inside another service-role transaction).
--
-- A bucket holds up to `capacity` tokens and gains `refill_per_second` tokens
-- a second; a take of `cost` succeeds when that many are there and removes
-- them, and otherwise changes nothing. ratelimit.take is one function call:
-- it locks the bucket's row for the rest of the caller's transaction, so two
-- takers (two connections, two replicas) never both spend the last token.
--
-- Keys are chosen by the caller (lib/auth/credentials.ts hashes the email in
-- its keys, so no address is stored here). A bucket that would be full again
-- is the same as no row: rows past full_at are deleted now and then.
--
-- Access: the schema is private (not exposed through PostgREST), RLS is
-- enabled and forced with no policy, and only service_role (BYPASSRLS) is
-- granted anything, after revoking whatever default privileges gave.

create schema ratelimit;
revoke all on schema ratelimit from public, anon, authenticated, service_role;
grant usage on schema ratelimit to service_role;

create table ratelimit.buckets (
  key         text primary key check (length(key) between 1 and 200),
  tokens      double precision not null,
  updated_at  timestamptz not null,
  -- When the bucket is full again (and the row can go).
  full_at     timestamptz not null
);
create index buckets_full_at on ratelimit.buckets (full_at);

alter table ratelimit.buckets enable row level security;
alter table ratelimit.buckets force row level security;
revoke all on ratelimit.buckets from public, anon, authenticated, service_role;
grant select, insert, update, delete on ratelimit.buckets to service_role;

-- Takes `cost` tokens from the bucket `key` (cost 0 only looks). Returns
-- whether the take succeeded, the tokens left, and the seconds until
-- max(cost, 1) tokens are there (0 when they are now).
create function ratelimit.take(
  p_key text,
  p_cost double precision,
  p_capacity double precision,
  p_refill_per_second double precision,
  p_at timestamptz default null
) returns table (allowed boolean, remaining double precision, retry_after_seconds double precision)
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_at      timestamptz := coalesce(p_at, now());
  v_tokens  double precision;
  v_updated timestamptz;
  v_need    double precision := greatest(p_cost, 1);
begin
  if p_cost < 0 or p_capacity <= 0 or p_refill_per_second <= 0 then
    raise exception 'ratelimit.take: cost must be >= 0, capacity and refill > 0'
      using errcode = '22023';
  end if;

  insert into ratelimit.buckets as b (key, tokens, updated_at, full_at)
  values (p_key, p_capacity, v_at, v_at)
  on conflict (key) do nothing;

  select b.tokens, b.updated_at into v_tokens, v_updated
    from ratelimit.buckets b where b.key = p_key
     for update;

  v_tokens := least(p_capacity,
    v_tokens + greatest(0, extract(epoch from (v_at - v_updated))) * p_refill_per_second);
  allowed := v_tokens >= p_cost;
  if allowed then
    v_tokens := v_tokens - p_cost;
  end if;

  update ratelimit.buckets b
     set tokens = v_tokens,
         updated_at = greatest(v_updated, v_at),
         full_at = greatest(v_updated, v_at)
                   + make_interval(secs => (p_capacity - v_tokens) / p_refill_per_second)
   where b.key = p_key;

  remaining := v_tokens;
  retry_after_seconds := greatest(0, (v_need - v_tokens) / p_refill_per_second);

  -- Now and then, forget buckets that are full again.
  if random() < 0.01 then
    delete from ratelimit.buckets b where b.full_at < v_at and b.key <> p_key;
  end if;
  return next;
end;
$$;

-- Forgets a bucket (it is full again), e.g. failures after a right password.
create function ratelimit.reset(p_key text) returns void
language sql
volatile
set search_path = ''
as $$ delete from ratelimit.buckets where key = p_key $$;

revoke all on function ratelimit.take(text, double precision, double precision, double precision, timestamptz),
                       ratelimit.reset(text)
  from public, anon, authenticated, service_role;
grant execute on function ratelimit.take(text, double precision, double precision, double precision, timestamptz),
                          ratelimit.reset(text)
  to service_role;

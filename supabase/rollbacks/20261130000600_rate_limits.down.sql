-- Rollback of 20261130000600_rate_limits: the shared rate-limit buckets go
-- (every bucket is full again: nothing else is lost).
drop schema if exists ratelimit cascade;

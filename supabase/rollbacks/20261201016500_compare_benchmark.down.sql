-- Rollback of 20261201016500: the comparison and benchmark functions go; they
-- hold no data (everything they answer is read from the alert rollups).
drop function analytics.peer_benchmark(uuid, text, date, date);
drop function analytics.customer_metrics(uuid[], date, date, uuid[]);
drop function analytics.size_band(bigint);

-- Rollback of 20261201026100_alert_search: the alert list searches through RLS again.
drop function search.alert_page(text, uuid[], text, text[], uuid, boolean, uuid, boolean, boolean,
  timestamptz, timestamptz, text, integer, integer, integer);
drop schema search;

-- Rollback of 20261201030400_collector_marks_credentials_used: collectors no longer mark
-- the credentials they open as used (last_used_at is set by connection tests only again).
drop function api.touch_opened_credentials(uuid[]);

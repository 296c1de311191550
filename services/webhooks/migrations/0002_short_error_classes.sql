-- The delivery log shows short error classes (services/webhooks/outbound.py), never the raw
-- exception or resolver text earlier versions stored: rewrite what is already there.
UPDATE delivery_attempts SET error = CASE
        WHEN error ~ '^HTTP [0-9]{3}$' THEN 'http_' || substr(error, 6)
        WHEN error LIKE 'timed out%' THEN 'timeout'
        ELSE 'connection_error' END
    WHERE error IS NOT NULL AND error !~ '^[a-z0-9_]+$';
UPDATE deliveries SET last_error = CASE
        WHEN last_error ~ '^HTTP [0-9]{3}$' THEN 'http_' || substr(last_error, 6)
        WHEN last_error LIKE 'timed out%' THEN 'timeout'
        ELSE 'connection_error' END
    WHERE last_error IS NOT NULL AND last_error !~ '^[a-z0-9_]+$';

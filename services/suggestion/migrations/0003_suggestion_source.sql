-- Where a suggestion came from, when not from the deputy alone (issue 13): a voter's opinion
-- a deputy converted, {"kind": "opinion", "tracking_code", "station_code"}. The opinion links
-- to the suggestion (deputy schema) and the suggestion back to the opinion (here).
ALTER TABLE suggestions ADD COLUMN source jsonb;
CREATE INDEX suggestions_source_opinion ON suggestions ((source ->> 'tracking_code')) WHERE source IS NOT NULL;

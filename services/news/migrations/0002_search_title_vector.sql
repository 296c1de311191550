-- Search ranks only the top candidates (services/news/repository.py, PublicRepository.search):
-- every match is ordered first by whether its TITLE matches, then by recency, read from this
-- small vector (the title's lexemes, ~160 bytes, kept in the row) instead of the whole
-- article's vector (kilobytes, stored out of line), which is read only for the candidates.
ALTER TABLE published
    ADD COLUMN title_search tsvector GENERATED ALWAYS AS (ts_filter(search, '{a}')) STORED;

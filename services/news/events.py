"""Event types the news service emits on ``news.events`` (routing key = type).

Fields (``data``):
- article_published: article_id, slug, column (slug), title, version, published_at (ISO-8601), scheduled (bool)
- article_withdrawn: article_id, slug, column, reason
- submission_adopted: submission_id, town, level, adopted_on
"""
ARTICLE_PUBLISHED = "article_published"
ARTICLE_WITHDRAWN = "article_withdrawn"
SUBMISSION_ADOPTED = "submission_adopted"

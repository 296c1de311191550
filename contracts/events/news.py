"""Events the news service publishes on ``news.events`` (routing key = type)."""
from marshmallow import fields

from contracts.events.payload import ISO_DATE, Payload

ARTICLE_PUBLISHED = "article_published"
ARTICLE_WITHDRAWN = "article_withdrawn"
SUBMISSION_ADOPTED = "submission_adopted"


class ArticlePublished(Payload):
    article_id = fields.Raw(required=True)
    slug = fields.String(required=True)
    column = fields.String(required=True, metadata={"description": "the column's slug"})
    title = fields.String(required=True)
    version = fields.Integer(required=True)
    published_at = ISO_DATE(required=True)
    scheduled = fields.Boolean(required=True)


class ArticleWithdrawn(Payload):
    article_id = fields.Raw(required=True)
    slug = fields.String(required=True)
    column = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True)


class SubmissionAdopted(Payload):
    submission_id = fields.Raw(required=True)
    town = fields.String(required=True)
    level = fields.String(required=True)
    adopted_on = ISO_DATE(required=True)


PAYLOADS = {ARTICLE_PUBLISHED: ArticlePublished, ARTICLE_WITHDRAWN: ArticleWithdrawn,
            SUBMISSION_ADOPTED: SubmissionAdopted}

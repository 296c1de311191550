"""Server-side sanitising of article bodies (HTML from the rich-text editor) with nh3
(ammonia, Rust): an allow-list of tags and attributes; everything else is dropped.

No scripts, no event handlers (``on*``), no ``style`` or ``class`` (so nothing can be hidden
or made to look like the site's own chrome), no ``javascript:``/``data:`` URLs, no frames,
forms or embeds. Links get ``rel="noopener noreferrer"``."""
import nh3

TAGS = {"p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "ul", "ol",
        "li", "a", "img", "figure", "figcaption", "table", "caption", "thead", "tbody", "tr", "th", "td", "hr",
        "pre", "code", "span"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"},
              "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Elements removed with their content (not just unwrapped): their text is not for readers.
CLEAN_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
                 "textarea", "select", "button"}


def clean_html(html):
    return nh3.clean(html or "", tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     clean_content_tags=CLEAN_CONTENT, link_rel="noopener noreferrer", strip_comments=True)

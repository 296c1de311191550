"""Suggestion-handling statistics: a mixin of SuggestionService with its @rpc entrypoints."""


class SuggestionStatistics:
    pass

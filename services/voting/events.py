"""Event types the voting service emits on ``voting.events`` (routing key = type).

Fields (``data``):
- meeting_created: meeting_id, kind, title, starts_at, expected, members, observers
- members_added: meeting_id, members, observers (the codes/names added), expected (members now)
- member_signed_in / member_signed_out: meeting_id, deputy_id, name, role, by (staff username
  when on the member's behalf, else null), present, expected
- item_opened: meeting_id, item_id, title, kind, mode, merged, expected (N), present, threshold, candidates
- tally_updated (ticker, ~200 ms, only when changed): meeting_id, item_id, seq (monotonic per item),
  expected, present, yes, no, abstain, voted, not_voted, threshold, candidates [{name, yes, no,
  abstain}]; named items also voters [{deputy_id, choice}]; never member ids on secret items
- vote_closed: meeting_id, item_id, title, kind, mode, result {expected, present, absent, voted, yes,
  no, abstain, not_voted, threshold, passed, manual, ballots, candidates [...]}, digest, hash_algorithm
"""
MEETING_CREATED = "meeting_created"
MEMBERS_ADDED = "members_added"
MEMBER_SIGNED_IN = "member_signed_in"
MEMBER_SIGNED_OUT = "member_signed_out"
ITEM_OPENED = "item_opened"
TALLY_UPDATED = "tally_updated"
VOTE_CLOSED = "vote_closed"

# Leave and the end of a meeting (issue 13). Leave reasons never travel in events.
# - leave_requested: meeting_id, deputy_id, kind, starts_at
# - leave_decided: meeting_id, deputy_id, status (approved | denied), by
# - meeting_ended: meeting_id, kind, title, starts_at, ended_at, by, expected,
#   counts {present, leave, absent}, attendance [{deputy_id, outcome: present | leave | absent}]
LEAVE_REQUESTED = "leave_requested"
LEAVE_DECIDED = "leave_decided"
MEETING_ENDED = "meeting_ended"

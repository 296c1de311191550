"""Gateway routes: Live meeting data: Server-Sent Events and the meeting display pages.

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config, self.db.

``GET /api/v1/meetings/<id>/live`` streams, as Server-Sent Events, what the voting service
publishes on ``voting.events`` about that meeting (gateway/broadcast.py: each gateway
process binds its own broadcast queue and serves its own clients):

    id: <epoch>-<seq>        seq: per meeting, increasing by one per event of that meeting
    event: <type>            snapshot | member_signed_in | member_signed_out | item_opened |
                             tally_updated | vote_closed | ... | reset
    data: <JSON>             the event's data (for ``snapshot``: the voting service's answer)

The first event is a ``snapshot`` (attendance and the open item's tally, over RPC from the
voting service) so that a late client sees the state; a client that reconnects with
``Last-Event-ID`` instead gets the events it missed when this process still has them.
A comment line every ``LIVE_HEARTBEAT_SECONDS`` (15 s) keeps proxies from closing an idle
stream and finds disconnected clients (a write to a closed socket ends the generator,
whose ``finally`` unsubscribes it). ``event: reset`` then the end of the stream means
"reconnect and start from a snapshot" (the browser's EventSource does so by itself).

The SSE body is a generator that eventlet's WSGI server writes chunk by chunk once the
nameko worker has returned: the stream holds one green thread of the web server, not one
of the service's ``max_workers``. ``eventlet.minimum_write_chunk_size = 0`` makes it write
each frame at once (by default it collects 4 KiB before writing).
"""
import logging
import pathlib

from werkzeug.exceptions import NotFound as HttpNotFound
from werkzeug.wrappers import Response

from gateway.api import api
from gateway.broadcast import END, LiveBroadcast, sse_frame
from kernel.errors import DeadlineExceeded, NotFound, ServiceUnavailable
from kernel.web import http

log = logging.getLogger(__name__)

PAGES = pathlib.Path(__file__).parent / "static" / "meeting"
MIMETYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
RECONNECT_MILLISECONDS = 2000


def static_file(name, cache_seconds=0):
    path = PAGES / name
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        raise HttpNotFound()
    mimetype = MIMETYPES.get(path.suffix, "application/octet-stream")
    headers = {"Cache-Control": f"max-age={cache_seconds}" if cache_seconds else "no-cache"}
    return Response(path.read_bytes(), mimetype=mimetype, headers=headers)


def event_stream(subscription, first_frames, heartbeat_seconds):
    """The SSE body. Runs in the web server's green thread after the worker has returned."""
    try:
        yield f"retry: {RECONNECT_MILLISECONDS}\n\n".encode() + b"".join(first_frames)
        while True:
            frames = subscription.next_frames(heartbeat_seconds)
            if not frames:
                yield b": keep-alive\n\n"
                continue
            if frames[-1] is END:
                reason = subscription.ended
                yield b"".join(frames[:-1]) + sse_frame("reset", {"reason": reason})
                return
            yield b"".join(frames)
    finally:
        subscription.close()


class LiveRoutes:
    live_feed = LiveBroadcast()

    @api("GET", "/api/v1/meetings/<meeting_id>/live", tag="meetings",
         summary="Live meeting events (text/event-stream): a snapshot, then sign-ins, openings, running "
                 "tallies (counts only on secret items) and results; honours Last-Event-ID",
         media_types={"text/event-stream": "Server-Sent Events: frames 'id: <epoch>-<seq>', 'event: <type>', "
                                           "'data: <JSON>'; first a snapshot, then heartbeats as comments"})
    def meeting_live(self, request, principal, meeting_id):
        if not self.live_feed.wait_bound(float(self.config.get("LIVE_BIND_WAIT_SECONDS", 5.0))):
            raise ServiceUnavailable("the live event feed is not connected to the broker")
        last_event_id = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
        subscription, missed, current_id = self.live_feed.subscribe(meeting_id, last_event_id)
        try:
            first = missed if missed is not None else [
                sse_frame("snapshot", self._live_snapshot(meeting_id), current_id)]
        except BaseException:
            subscription.close()
            raise
        request.environ["eventlet.minimum_write_chunk_size"] = 0
        heartbeat = float(self.config.get("LIVE_HEARTBEAT_SECONDS", 15.0))
        return Response(event_stream(subscription, first, heartbeat), status=200, mimetype="text/event-stream",
                        direct_passthrough=True,
                        headers={"Cache-Control": "no-cache, no-store", "X-Accel-Buffering": "no"})

    def _live_snapshot(self, meeting_id):
        """The meeting's state now, from the voting service: attendance and the current item
        (the open one, else the last closed one) with its counts. Composed from two RPCs the
        voting service has anyway (get_meeting, get_result), and only whitelisted fields: no
        member list, no voter. An unknown meeting is a 404; a voting service that does not
        answer still gives a stream (its events flow as soon as it is back), with a snapshot
        that says so."""
        try:
            meeting = self.rpc.call("voting", "get_meeting", meeting_id=meeting_id)
            current = current_item(meeting.get("items") or [])
            result = current and self.rpc.call("voting", "get_result", meeting_id=meeting_id,
                                                item_id=current["id"])
        except (DeadlineExceeded, ServiceUnavailable) as exc:
            log.warning("live snapshot of meeting %s unavailable: %s", meeting_id, exc)
            return {"meeting_id": meeting_id, "unavailable": True}
        if current and current.get("mode") == "named":
            self.live_feed.remember_named(current["id"])
        return snapshot_of(meeting, current, result)

    # -- pages -------------------------------------------------------------------------------
    @http("GET", "/meetings/<meeting_id>/display")
    def meeting_display_page(self, request, meeting_id):
        """The big screen: 应到/实到/赞成/反对/弃权/未按 and 通过/未通过, live."""
        return self._meeting_page(meeting_id, "display.html")

    @http("GET", "/meetings/<meeting_id>/chair")
    def meeting_chair_page(self, request, meeting_id):
        """The chair's view: attendance and who has not voted yet (never anyone's choice on a
        secret item); signs in as staff in the page."""
        return self._meeting_page(meeting_id, "chair.html")

    def _meeting_page(self, meeting_id, name):
        """The page, or a 404 page that says 会议不存在 for a meeting the voting service does
        not know. A voting service that does not answer still gets the page (it follows the
        live stream as soon as the service is back; the page says 会议不存在 itself if the
        stream then answers 404)."""
        try:
            self.rpc.call("voting", "get_meeting", meeting_id=meeting_id)
        except NotFound:
            response = static_file("missing.html")
            response.status_code = 404
            return response
        except (DeadlineExceeded, ServiceUnavailable) as exc:
            log.warning("meeting page %s served unchecked: %s", meeting_id, exc)
        return static_file(name)

    @http("GET", "/static/meeting/<filename>")
    def meeting_static(self, request, filename):
        return static_file(filename, cache_seconds=300)


MEETING_FIELDS = ("title", "kind", "starts_at", "expected", "present")
ITEM_FIELDS = ("title", "kind", "mode", "merged", "status", "position")
RESULT_FIELDS = ("status", "final", "expected", "present", "voted", "yes", "no", "abstain", "not_voted",
                 "threshold", "passed", "manual", "digest")
CANDIDATE_FIELDS = ("name", "post", "yes", "no", "abstain", "not_voted", "passed")


def current_item(items):
    """The open item, else the last one closed (the result on the screen), else None."""
    for item in items:
        if item.get("status") == "open":
            return item
    closed = [item for item in items if item.get("status") == "closed"]
    return max(closed, key=lambda item: (str(item.get("closed_at") or ""), item.get("position") or 0),
               default=None)


def pick(source, names):
    return {name: source[name] for name in names if name in source}


def snapshot_of(meeting, current, result):
    snapshot = {"meeting_id": meeting.get("id"), **pick(meeting, MEETING_FIELDS), "item": None,
                "items": [{"item_id": item.get("id"), **pick(item, ITEM_FIELDS)} for item in meeting.get("items") or []]}
    if current:
        item = {"item_id": current.get("id"), **pick(current, ITEM_FIELDS), **pick(result or {}, RESULT_FIELDS)}
        candidates = (result or {}).get("candidates") or current.get("candidates") or []
        posts = {c.get("name"): c.get("post") for c in current.get("candidates") or [] if isinstance(c, dict)}
        item["candidates"] = [pick({"post": posts.get(candidate.get("name")) or "", **candidate}, CANDIDATE_FIELDS)
                              for candidate in candidates if isinstance(candidate, dict)]
        snapshot["item"] = item
    return snapshot

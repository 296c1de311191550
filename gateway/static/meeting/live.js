/* Live meeting state from GET /api/v1/meetings/{id}/live (Server-Sent Events).
 *
 * MeetingLive(meetingId, onChange) keeps one state object up to date and calls
 * onChange(state, eventType) after every event. The browser's EventSource reconnects by
 * itself and sends Last-Event-ID; the gateway answers with the missed events or a new
 * snapshot. Plain JS, no dependencies (the display runs without internet access).
 */
(function (global) {
  "use strict";

  var MODES = {secret: "无记名表决", named: "记名表决", show_of_hands: "举手表决", paper: "无记名投票（纸质）"};
  var KINDS = {resolution: "决议", decision: "决定", appointment: "任免", removal: "撤职", amendment: "修正案"};
  var COUNTS = ["expected", "present", "voted", "yes", "no", "abstain", "not_voted", "threshold"];

  function meetingIdFromPath() {
    var match = /\/meetings\/([^\/]+)\//.exec(global.location.pathname);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function MeetingLive(meetingId, onChange) {
    this.meetingId = meetingId;
    this.onChange = onChange;
    this.state = {
      meetingId: meetingId, title: "", expected: null, present: null,
      item: null,          // {item_id, title, kind, mode, status, counts..., passed, candidates, seq}
      connected: false, lastEventId: null, events: 0, lastSignIn: null
    };
    this.source = null;
  }

  MeetingLive.prototype.start = function () {
    var self = this;
    var url = "/api/v1/meetings/" + encodeURIComponent(this.meetingId) + "/live";
    this.source = new EventSource(url);
    this.source.onopen = function () { self.state.connected = true; self.changed("open"); };
    this.source.onerror = function () {
      self.state.connected = false;
      self.changed("error");
      // The browser gives up on a stream that answered with an error (it retries only lost
      // connections): is the meeting unknown? Then the page says so instead of waiting.
      if (self.source.readyState === 2) { self.checkExists(); }
    };
    ["snapshot", "member_signed_in", "member_signed_out", "item_opened", "tally_updated", "vote_closed",
     "reset"].forEach(function (type) {
      self.source.addEventListener(type, function (message) {
        var data;
        try { data = JSON.parse(message.data); } catch (e) { return; }
        self.state.lastEventId = message.lastEventId || self.state.lastEventId;
        self.state.events += 1;
        self.apply(type, data);
        self.changed(type);
      });
    });
    return this;
  };

  MeetingLive.prototype.checkExists = function () {
    var self = this;
    fetch("/api/v1/meetings/" + encodeURIComponent(this.meetingId), {credentials: "same-origin"})
      .then(function (response) {
        if (response.status === 404) {
          self.state.missing = true;
          self.changed("missing");
        } else {
          global.setTimeout(function () { self.start(); }, 2000);   // it exists: try the stream again
        }
      })
      .catch(function () { global.setTimeout(function () { self.checkExists(); }, 2000); });
  };

  MeetingLive.prototype.changed = function (type) {
    if (this.onChange) { this.onChange(this.state, type); }
  };

  function copyCounts(target, source) {
    COUNTS.forEach(function (name) {
      if (source[name] !== undefined) { target[name] = source[name]; }
    });
    if (source.candidates && source.candidates.length) { target.candidates = source.candidates; }
  }

  MeetingLive.prototype.apply = function (type, data) {
    var state = this.state;
    var item = state.item;
    if (type === "snapshot") {
      if (data.unavailable) { return; }
      state.title = data.title || state.title;
      state.kind = data.kind;
      if (data.expected !== undefined) { state.expected = data.expected; }
      if (data.present !== undefined) { state.present = data.present; }
      if (data.item) {
        state.item = {candidates: []};
        for (var key in data.item) { state.item[key] = data.item[key]; }
        state.item.seq = -1;
        if (state.item.status === "closed") {
          state.item.result = {passed: data.item.passed, threshold: data.item.threshold};
        }
      } else {
        state.item = null;
      }
    } else if (type === "member_signed_in" || type === "member_signed_out") {
      state.present = data.present;
      state.expected = data.expected;
      state.lastSignIn = {name: data.name, signedIn: type === "member_signed_in", by: data.by};
    } else if (type === "item_opened") {
      // a secret item shows no per-choice count until it closes (only how many have voted)
      var start = data.mode === "secret" ? null : 0;
      state.item = {item_id: data.item_id, title: data.title, kind: data.kind, mode: data.mode, merged: data.merged,
                    status: "open", expected: data.expected, present: data.present, threshold: data.threshold,
                    yes: start, no: start, abstain: start, voted: 0, not_voted: data.present, passed: null, seq: -1,
                    candidates: (data.candidates || []).map(function (c) {
                      return {name: c.name, post: c.post, yes: start, no: start, abstain: start};
                    })};
      if (data.kind === "appointment" && !data.merged && state.item.candidates.length) {
        state.item.yes = state.item.no = state.item.abstain = null;  // voted per person: see the candidates
      }
    } else if (type === "tally_updated") {
      if (!item || String(item.item_id) !== String(data.item_id) || item.status === "closed") { return; }
      if (data.seq !== undefined && data.seq <= item.seq) { return; }  // an older tick
      copyCounts(item, data);
      if (data.seq !== undefined) { item.seq = data.seq; }
      item.voters = data.voters || null;
    } else if (type === "vote_closed") {
      var result = data.result || {};
      if (!item || String(item.item_id) !== String(data.item_id)) {
        item = state.item = {item_id: data.item_id, title: data.title, kind: data.kind, mode: data.mode,
                             candidates: []};
      }
      copyCounts(item, result);
      item.status = "closed";
      item.passed = result.passed;
      item.digest = data.digest;
      item.result = result;
    }
  };

  function text(value) {
    return value === null || value === undefined ? "—" : String(value);
  }

  function setText(id, value) {
    var element = document.getElementById(id);
    if (element && element.textContent !== text(value)) { element.textContent = text(value); }
  }

  /** The meeting is unknown: say so on the whole page (the big screen or the chair's view).
   * Everything else is hidden, not removed: the page's scripts may still look their elements up. */
  function showMissing() {
    if (document.getElementById("missing")) { return; }
    document.title = "会议不存在";
    document.body.setAttribute("data-missing", "yes");
    Array.prototype.forEach.call(document.body.children, function (element) {
      if (element.tagName !== "SCRIPT") { element.hidden = true; }
    });
    var notice = document.createElement("main");
    notice.className = "missing-notice";
    notice.setAttribute("role", "alert");
    notice.innerHTML = '<h1 id="missing">会议不存在</h1>' +
      "<p>没有找到这个会议。请核对地址中的会议编号，或向会务工作人员确认会议已经创建。</p>";
    document.body.appendChild(notice);
  }

  global.MeetingLive = MeetingLive;
  global.MeetingLive.showMissing = showMissing;
  global.MeetingLive.meetingIdFromPath = meetingIdFromPath;
  global.MeetingLive.MODES = MODES;
  global.MeetingLive.KINDS = KINDS;
  global.MeetingLive.text = text;
  global.MeetingLive.setText = setText;
})(window);

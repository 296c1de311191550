/* The big screen: 应到/实到/赞成/反对/弃权/未按 and 通过/未通过, live. */
(function () {
  "use strict";
  var L = window.MeetingLive;
  var setText = L.setText;
  var STATUS = {pending: "待表决", open: "表决中", closed: "表决结束"};

  function verdict(passed) {
    return passed === true ? "通过" : passed === false ? "未通过" : "";
  }

  function renderCandidates(item) {
    var table = document.getElementById("candidates");
    var rows = document.getElementById("candidate-rows");
    var candidates = (item && item.candidates) || [];
    var perPerson = candidates.length > 0 && candidates.some(function (c) { return c.yes !== undefined; }) &&
      item.yes === null;
    table.hidden = !perPerson;
    if (!perPerson) { rows.textContent = ""; return; }
    var html = candidates.map(function (c) {
      return "<tr><td>" + escape(c.name) + "</td><td>" + L.text(c.yes) + "</td><td>" + L.text(c.no) +
        "</td><td>" + L.text(c.abstain) + "</td><td>" + (item.status === "closed" ? verdict(c.passed) : "") +
        "</td></tr>";
    }).join("");
    if (rows.innerHTML !== html) { rows.innerHTML = html; }
  }

  function escape(value) {
    return String(value === undefined || value === null ? "" : value).replace(/[&<>"]/g, function (ch) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[ch];
    });
  }

  function render(state) {
    if (state.missing) { L.showMissing(); return; }
    setText("meeting-title", state.title || "会议");
    setText("meeting-expected", state.expected);
    setText("meeting-present", state.present);
    var connection = document.getElementById("connection");
    connection.className = "connection " + (state.connected ? "on" : "off");
    var item = state.item;
    if (item) {
      setText("item-title", item.title);
      setText("item-kind", L.KINDS[item.kind] || item.kind || "");
      setText("item-mode", L.MODES[item.mode] || item.mode || "");
      setText("item-status", STATUS[item.status] || item.status || "");
      setText("expected", item.expected);
      setText("present", item.present !== undefined && item.present !== null ? item.present : state.present);
      setText("yes", item.yes);
      setText("no", item.no);
      setText("abstain", item.abstain);
      setText("voted", item.voted);
      setText("not-voted", item.not_voted);
      document.getElementById("secrecy").hidden = !(item.mode === "secret" && item.status !== "closed");
      setText("threshold", item.threshold ? "通过需赞成 ≥ " + item.threshold + " 票（全体组成人员过半数）" : "");
      var result = document.getElementById("result");
      var passed = item.status === "closed" ? item.passed : null;
      setText("result", verdict(passed));
      result.setAttribute("data-passed", passed === true ? "yes" : passed === false ? "no" : "");
    } else {
      setText("item-title", "等待表决");
      setText("expected", state.expected);
      setText("present", state.present);
      ["yes", "no", "abstain", "voted", "not-voted"].forEach(function (id) { setText(id, null); });
      document.getElementById("secrecy").hidden = true;
      ["threshold", "result", "item-kind", "item-mode", "item-status"].forEach(function (id) { setText(id, ""); });
    }
    renderCandidates(item);
    if (state.lastSignIn) {
      setText("last-sign-in", state.lastSignIn.name + (state.lastSignIn.signedIn ? " 签到" : " 离场"));
    }
    document.body.setAttribute("data-last-event-id", state.lastEventId || "");
    document.body.setAttribute("data-events", String(state.events));
  }

  var meetingId = L.meetingIdFromPath();
  document.body.setAttribute("data-meeting-id", meetingId || "");
  new L(meetingId, render).start();
})();

/* The chair's view: attendance, the running count, and WHO has not voted yet — from
 * GET /api/v1/meetings/{id}/items/{item}/pending (staff or the meeting's chair), refreshed
 * at most once a second while the item is open. Never anyone's choice on a secret item. */
(function () {
  "use strict";
  var L = window.MeetingLive;
  var setText = L.setText;
  var STATUS = {open: "表决中", closed: "表决结束"};
  var meetingId = L.meetingIdFromPath();
  var token = window.sessionStorage.getItem("renda.token");
  var live = null;
  var refreshTimer = null;
  var lastRefresh = 0;

  function signIn(event) {
    event.preventDefault();
    var body = JSON.stringify({username: document.getElementById("username").value,
                               password: document.getElementById("password").value});
    fetch("/api/v1/auth/token", {method: "POST", headers: {"Content-Type": "application/json"}, body: body})
      .then(function (response) { return response.json().then(function (json) { return [response, json]; }); })
      .then(function (pair) {
        if (!pair[0].ok) { setText("login-error", (pair[1].error || {}).message || "登录失败"); return; }
        token = pair[1].access_token;
        window.sessionStorage.setItem("renda.token", token);
        setText("login-error", "");
        document.getElementById("login-panel").hidden = true;
        scheduleRefresh();
      });
  }

  function scheduleRefresh() {
    if (refreshTimer) { return; }
    var wait = Math.max(0, 1000 - (Date.now() - lastRefresh));
    refreshTimer = window.setTimeout(function () { refreshTimer = null; refreshPending(); }, wait);
  }

  function refreshPending() {
    lastRefresh = Date.now();
    var item = live && live.state.item;
    var list = document.getElementById("pending");
    if (!item || item.status !== "open") {
      list.textContent = "";
      setText("pending-count", item ? 0 : null);
      return;
    }
    if (!token) { setText("pending-error", "登录后显示未表决名单"); return; }
    fetch("/api/v1/meetings/" + encodeURIComponent(meetingId) + "/items/" + encodeURIComponent(item.item_id) +
          "/pending", {headers: {"Authorization": "Bearer " + token}})
      .then(function (response) { return response.json().then(function (json) { return [response, json]; }); })
      .then(function (pair) {
        if (!pair[0].ok) {
          if (pair[0].status === 401) { window.sessionStorage.removeItem("renda.token"); token = null;
            document.getElementById("login-panel").hidden = false; }
          setText("pending-error", (pair[1].error || {}).message || "无法获取未表决名单");
          return;
        }
        setText("pending-error", "");
        setText("pending-count", pair[1].count);
        list.textContent = "";
        (pair[1].pending || []).forEach(function (member) {
          var li = document.createElement("li");
          li.textContent = member.name + "（" + member.deputy_id + "）";
          list.appendChild(li);
        });
      })
      .catch(function () { setText("pending-error", "网络错误"); });
  }

  function render(state, type) {
    setText("meeting-title", state.title || "会议");
    setText("meeting-expected", state.expected);
    setText("meeting-present", state.present);
    document.getElementById("connection").className = "connection " + (state.connected ? "on" : "off");
    var item = state.item;
    setText("item-title", item ? item.title : "无进行中的表决");
    setText("item-mode", item ? (L.MODES[item.mode] || item.mode || "") : "");
    setText("item-status", item ? (STATUS[item.status] || item.status || "") : "");
    ["voted", "yes", "no", "abstain"].forEach(function (name) { setText(name, item ? item[name] : null); });
    setText("not-voted", item ? item.not_voted : null);
    if (type !== "open" && type !== "error") { scheduleRefresh(); }
  }

  document.getElementById("login").addEventListener("submit", signIn);
  if (token) { document.getElementById("login-panel").hidden = true; }
  live = new L(meetingId, render).start();
})();

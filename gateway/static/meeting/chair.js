/* The chair's view: attendance, the running count, and WHO has not voted yet — from
 * GET /api/v1/meetings/{id}/items/{item}/pending (staff or the meeting's chair), refreshed
 * at most once a second while the item is open. Never anyone's choice on a secret item.
 *
 * Signing in opens a browser session (POST /api/v1/auth/session): the gateway keeps the
 * token in an httpOnly cookie this script cannot read, and nothing is put in localStorage or
 * sessionStorage. Writes made with the cookie send the session's CSRF token (kept in memory
 * only, and read again from GET /api/v1/me after a reload). */
(function () {
  "use strict";
  var L = window.MeetingLive;
  var setText = L.setText;
  var STATUS = {open: "表决中", closed: "表决结束"};
  var meetingId = L.meetingIdFromPath();
  var signedIn = false;
  var csrfToken = null;
  var live = null;
  var refreshTimer = null;
  var lastRefresh = 0;

  function call(method, path, body) {
    var headers = {};
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (method !== "GET" && csrfToken) { headers["X-CSRF-Token"] = csrfToken; }
    return fetch(path, {method: method, credentials: "same-origin", headers: headers,
                        body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (response) {
        return response.json().catch(function () { return {}; })
          .then(function (json) { return [response, json]; });
      });
  }

  function showSignedIn(yes, who) {
    signedIn = yes;
    document.getElementById("login-panel").hidden = yes;
    document.getElementById("session-panel").hidden = !yes;
    setText("signed-in-as", yes ? who : "");
  }

  function signIn(event) {
    event.preventDefault();
    call("POST", "/api/v1/auth/session", {username: document.getElementById("username").value,
                                          password: document.getElementById("password").value})
      .then(function (pair) {
        if (!pair[0].ok) { setText("login-error", (pair[1].error || {}).message || "登录失败"); return; }
        csrfToken = pair[1].csrf_token;
        document.getElementById("password").value = "";
        setText("login-error", "");
        showSignedIn(true, pair[1].username);
        scheduleRefresh();
      })
      .catch(function () { setText("login-error", "网络错误"); });
  }

  function signOut() {
    call("DELETE", "/api/v1/auth/session").then(function () {
      csrfToken = null;
      showSignedIn(false);
      document.getElementById("pending").textContent = "";
      setText("pending-count", null);
    });
  }

  function restoreSession() {
    call("GET", "/api/v1/me").then(function (pair) {
      if (pair[0].ok) {
        csrfToken = pair[1].csrf_token || null;
        showSignedIn(true, pair[1].username);
        scheduleRefresh();
      } else {
        showSignedIn(false);
      }
    }).catch(function () { showSignedIn(false); });
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
    if (!signedIn) { setText("pending-error", "登录后显示未表决名单"); return; }
    call("GET", "/api/v1/meetings/" + encodeURIComponent(meetingId) + "/items/" + encodeURIComponent(item.item_id) +
         "/pending")
      .then(function (pair) {
        if (!pair[0].ok) {
          if (pair[0].status === 401) { csrfToken = null; showSignedIn(false); }
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
    if (state.missing) { L.showMissing(); return; }
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
  document.getElementById("sign-out").addEventListener("click", signOut);
  restoreSession();
  live = new L(meetingId, render).start();
})();

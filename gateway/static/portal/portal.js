// Remembers the 适老化 switch across pages (the switch itself works without this script).
(function () {
  var box = document.getElementById("elder-mode");
  if (!box) return;
  try {
    if (localStorage.getItem("portal-elder-mode") === "1") box.checked = true;
    box.addEventListener("change", function () {
      localStorage.setItem("portal-elder-mode", box.checked ? "1" : "0");
    });
  } catch (e) { /* storage blocked: the switch still works for this page */ }
})();

// gridgov page helpers. Served by the app itself: no CDN on government intranets.
// No inline handlers anywhere (Content-Security-Policy): behaviour hangs on data-* attributes here.
(function () {
  "use strict";
  var closable = "details.usermenu, details[data-closable]";

  function closeAll(except) {
    document.querySelectorAll(closable).forEach(function (d) {
      if (d !== except && d.open) d.removeAttribute("open");
    });
  }

  // Menus (the user menu, the desktop 基础信息 / 管理 menus, the phone's 更多) close when tapping
  // elsewhere (phones have no hover), when another one opens, and with Escape.
  document.addEventListener("click", function (e) {
    document.querySelectorAll(closable).forEach(function (d) {
      if (d.open && !d.contains(e.target)) d.removeAttribute("open");
    });
  });
  document.querySelectorAll(closable).forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (d.open) closeAll(d);
      var summary = d.querySelector("summary");
      if (summary) summary.setAttribute("aria-expanded", d.open ? "true" : "false");
    });
    var summary = d.querySelector("summary");
    if (summary) summary.setAttribute("aria-expanded", d.open ? "true" : "false");
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelector("details[data-closable][open], details.usermenu[open]");
    if (open) {
      open.removeAttribute("open");
      var summary = open.querySelector("summary");
      if (summary) summary.focus();
    }
  });

  // A <select data-autosubmit> (the language switch) sends its form when changed.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) select.form.submit();
    });
  });
  // Content-Security-Policy allows no inline handlers: what used to be onchange= / onclick= lives here.
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-print], [data-back]");
    if (!el) return;
    if (el.hasAttribute("data-print")) { e.preventDefault(); window.print(); }
    else if (el.hasAttribute("data-back") && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
})();

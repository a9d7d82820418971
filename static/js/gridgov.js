// gridgov page helpers. Served by the app itself: no CDN on government intranets.
(function () {
  "use strict";
  // Close the user menu when tapping elsewhere (phones have no hover).
  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.usermenu[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });
})();

// Register pickers (case and dispute filing): a type-to-filter box over a <select> of registered
// residents/units, showing only the options of the grid chosen in the same form.
(function () {
  "use strict";
  document.querySelectorAll("select[data-register-pick]").forEach(function (select) {
    var form = select.form, grid = form && form.querySelector("select[name=grid]");
    var box = document.createElement("input");
    box.type = "search"; box.placeholder = "输入姓名筛选"; box.className = "register-filter";
    box.setAttribute("aria-label", "输入姓名筛选");
    select.parentNode.insertBefore(box, select);
    function apply() {
      var q = box.value.trim(), code = grid ? grid.value : "";
      Array.prototype.forEach.call(select.options, function (o) {
        if (!o.value) return;
        var show = (!code || !o.dataset.grid || o.dataset.grid === code) && (!q || o.text.indexOf(q) !== -1);
        o.hidden = !show && !o.selected;
      });
    }
    box.addEventListener("input", apply);
    if (grid) grid.addEventListener("change", apply);
    apply();
  });
})();

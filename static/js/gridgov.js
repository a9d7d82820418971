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


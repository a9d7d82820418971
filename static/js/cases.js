// Case filing: tap the grid's SVG map or use geolocation to pick a point; show possible duplicates.
(function () {
  "use strict";
  var _ = window.gettext || function (s) { return s; };  // Django's JavaScript catalogue (/jsi18n/)
  var form = document.getElementById("case-form");
  if (!form) return;
  var lat = form.querySelector("[name=lat]"), lng = form.querySelector("[name=lng]");
  var text = document.getElementById("loc-text"), mapBox = document.getElementById("map-box");
  var grid = form.querySelector("[name=grid]"), category = form.querySelector("[name=category]");
  var selfHandle = document.getElementById("self-handle"), selfBox = document.getElementById("self-box");

  function setPoint(la, ln) {
    lat.value = la.toFixed(6); lng.value = ln.toFixed(6);
    text.textContent = lat.value + ", " + lng.value;
    drawPin(); checkDuplicates();
  }
  function svg() { return mapBox.querySelector("svg.gridmap"); }
  function drawPin() {
    var s = svg(); if (!s || !lat.value) return;
    var pin = s.querySelector(".map-pin");
    pin.setAttribute("cx", (parseFloat(lng.value) - parseFloat(s.dataset.minLng)) * parseFloat(s.dataset.kx));
    pin.setAttribute("cy", (parseFloat(s.dataset.maxLat) - parseFloat(lat.value)) * parseFloat(s.dataset.ky));
  }
  function loadMap() {
    if (!grid || !grid.value) { mapBox.innerHTML = ""; return; }
    fetch(form.dataset.mapUrl.replace("000", encodeURIComponent(grid.value)), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        mapBox.innerHTML = html;
        var s = svg(); if (!s) return;
        drawPin();
        s.addEventListener("click", function (e) {
          var pt = s.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY;
          var p = pt.matrixTransform(s.getScreenCTM().inverse());
          setPoint(parseFloat(s.dataset.maxLat) - p.y / parseFloat(s.dataset.ky),
                   parseFloat(s.dataset.minLng) + p.x / parseFloat(s.dataset.kx));
        });
      });
  }
  var dupTimer;
  function checkDuplicates() {
    clearTimeout(dupTimer);
    dupTimer = setTimeout(function () {
      var box = document.getElementById("dup-hint");
      if (!category.value || !grid.value) { box.innerHTML = ""; return; }
      var q = new URLSearchParams({ category: category.value, grid: grid.value, lat: lat.value, lng: lng.value });
      fetch(form.dataset.dupUrl + "?" + q.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { box.innerHTML = html; });
    }, 250);
  }
  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { text.textContent = _("此浏览器不支持定位，请在地图上点选。"); return; }
    text.textContent = _("正在定位…");
    navigator.geolocation.getCurrentPosition(
      function (pos) { setPoint(pos.coords.latitude, pos.coords.longitude); },
      function () { text.textContent = _("无法获取位置，请在地图上点选或填写地点。"); },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });
  if (grid) grid.addEventListener("change", function () { loadMap(); checkDuplicates(); });
  if (category) category.addEventListener("change", checkDuplicates);
  if (selfHandle) selfHandle.addEventListener("change", function () { selfBox.hidden = !selfHandle.checked; });
  loadMap(); checkDuplicates();
})();

// Case filing: tap the grid's map (static/js/map.js's picker) or use geolocation to pick a point; say when the
// point lies outside the grid (the server refuses more than data-tolerance metres outside); show possible duplicates.
(function () {
  "use strict";
  var _ = window.gettext || function (s) { return s; };  // Django's JavaScript catalogue (/jsi18n/)
  var interpolate = window.interpolate || function (fmt, obj) { return fmt.replace(/%\((\w+)\)s/g, function (m, k) { return obj[k]; }); };
  var form = document.getElementById("case-form");
  if (!form) return;
  var lat = form.querySelector("[name=lat]"), lng = form.querySelector("[name=lng]");
  var text = document.getElementById("loc-text"), mapBox = document.getElementById("map-box");
  var warn = document.getElementById("loc-warn");
  var grid = form.querySelector("[name=grid]"), category = form.querySelector("[name=category]");
  var selfHandle = document.getElementById("self-handle"), selfBox = document.getElementById("self-box");
  var picker = null;

  function distanceText(m) {
    return m < 1000 ? interpolate(_("%(n)s 米"), { n: Math.round(m) }, true)
      : interpolate(_("%(n)s 公里"), { n: (m / 1000).toFixed(m < 100000 ? 1 : 0) }, true);
  }
  function checkPoint() {
    if (!warn) return;
    warn.textContent = "";
    if (!picker || !lat.value) return;
    var d = picker.outside(parseFloat(lat.value), parseFloat(lng.value));
    if (d === null || d === 0) return;
    warn.textContent = d > picker.tolerance
      ? interpolate(_("所选位置在“%(grid)s”边界外约 %(d)s，不在该网格内，无法提交：请重新选取位置，或改选所在的网格。"),
                    { grid: picker.gridName, d: distanceText(d) }, true)
      : interpolate(_("所选位置在“%(grid)s”边界外约 %(d)s（定位误差以内）。"), { grid: picker.gridName, d: distanceText(d) }, true);
  }
  function setPoint(la, ln) {
    lat.value = la.toFixed(6); lng.value = ln.toFixed(6);
    text.textContent = lat.value + ", " + lng.value;
    drawPin(); checkPoint(); checkDuplicates();
  }
  function drawPin() {
    if (picker && lat.value) picker.setPoint(parseFloat(lat.value), parseFloat(lng.value));
  }
  function loadMap() {
    picker = null;
    if (!grid || !grid.value) { mapBox.innerHTML = ""; checkPoint(); return; }
    fetch(form.dataset.mapUrl.replace("000", encodeURIComponent(grid.value)), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        mapBox.innerHTML = html;
        var el = mapBox.querySelector(".gg-map-picker");
        if (el && window.gridgovMap) picker = window.gridgovMap.picker(el, setPoint);
        drawPin(); checkPoint();
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
      function (pos) { setPoint(pos.coords.latitude, pos.coords.longitude); },  // the phone's GPS: WGS-84
      function () { text.textContent = _("无法获取位置，请在地图上点选或填写地点。"); },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });
  if (grid) grid.addEventListener("change", function () { loadMap(); checkDuplicates(); });
  if (category) category.addEventListener("change", checkDuplicates);
  if (selfHandle) selfHandle.addEventListener("change", function () { selfBox.hidden = !selfHandle.checked; });
  loadMap(); checkDuplicates();
})();

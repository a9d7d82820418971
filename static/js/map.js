// The territory map (templates/portal/_map.html) and the case place map (templates/disputes/_place_map.html).
// Leaflet and leaflet.markercluster are vendored under static/vendor/. Coordinates arrive as WGS-84 and are
// converted to the tile source's system (data-tile-crs) for display: the same algorithm as governance/geo.py
// (governance/tests/test_map_js.py runs this file's converter under node and compares the two).
// Without a tile URL the boundaries and points are drawn on a blank background.
(function (root) {
  "use strict";

  // ------------------------------------------------------------ coordinate systems (as governance/geo.py)
  var A = 6378245.0, EE = 0.00669342162296594323, X_PI = Math.PI * 3000.0 / 180.0;

  function outOfChina(lat, lng) { return !(lng > 73.66 && lng < 135.05 && lat > 3.86 && lat < 53.55); }
  function tLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320.0 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return r;
  }
  function tLng(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return r;
  }
  function wgs84ToGcj02(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var dLat = tLat(lng - 105.0, lat - 35.0), dLng = tLng(lng - 105.0, lat - 35.0);
    var rad = lat / 180.0 * Math.PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sq) * Math.PI);
    dLng = (dLng * 180.0) / (A / sq * Math.cos(rad) * Math.PI);
    return [lat + dLat, lng + dLng];
  }
  function gcj02ToBd09(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var z = Math.sqrt(lng * lng + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
    var theta = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * X_PI);
    return [z * Math.sin(theta) + 0.006, z * Math.cos(theta) + 0.0065];
  }
  function invert(forward, lat, lng, start) {
    var g = start;
    for (var i = 0; i < 30; i++) {
      var f = forward(g[0], g[1]), dLat = lat - f[0], dLng = lng - f[1];
      g = [g[0] + dLat, g[1] + dLng];
      if (Math.abs(dLat) < 1e-9 && Math.abs(dLng) < 1e-9) break;
    }
    return g;
  }
  function gcj02ToWgs84(lat, lng) { return outOfChina(lat, lng) ? [lat, lng] : invert(wgs84ToGcj02, lat, lng, [lat, lng]); }
  function wgs84ToBd09(lat, lng) { var g = wgs84ToGcj02(lat, lng); return gcj02ToBd09(g[0], g[1]); }
  function bd09ToWgs84(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    return invert(wgs84ToBd09, lat, lng, gcj02ToWgs84(lat - 0.006, lng - 0.0065));
  }
  function fromWgs84(lat, lng, system) {
    if (system === "gcj02") return wgs84ToGcj02(lat, lng);
    if (system === "bd09") return wgs84ToBd09(lat, lng);
    return [lat, lng];  // wgs84, cgcs2000
  }
  function toWgs84(lat, lng, system) {
    if (system === "gcj02") return gcj02ToWgs84(lat, lng);
    if (system === "bd09") return bd09ToWgs84(lat, lng);
    return [lat, lng];
  }

  // ------------------------------------------------------------ points and boundaries (as governance/geo.py)
  var R = 6371008.8;
  function distanceM(lat1, lng1, lat2, lng2) {
    var p1 = lat1 * Math.PI / 180, p2 = lat2 * Math.PI / 180, dp = p2 - p1, dl = (lng2 - lng1) * Math.PI / 180;
    var h = Math.pow(Math.sin(dp / 2), 2) + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
  }
  function polygons(g) {
    if (!g || !g.coordinates) return [];
    return g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
  }
  function inRing(lat, lng, ring) {  // ring: [[lng, lat], ...]
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var yi = ring[i][1], xi = ring[i][0], yj = ring[j][1], xj = ring[j][0];
      if ((yi > lat) !== (yj > lat) && lng < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function pointInBoundary(lat, lng, g) {
    return polygons(g).some(function (rings) {
      return inRing(lat, lng, rings[0]) && !rings.slice(1).some(function (h) { return inRing(lat, lng, h); });
    });
  }
  // 0 inside, else metres to the nearest edge; null without a polygon.
  function distanceOutsideM(lat, lng, g) {
    var polys = polygons(g);
    if (!polys.length) return null;
    if (pointInBoundary(lat, lng, g)) return 0;
    var best = null, cosLat = Math.cos(lat * Math.PI / 180), k = Math.PI / 180 * R;
    polys.forEach(function (rings) {
      rings.forEach(function (ring) {
        for (var i = 0; i < ring.length; i++) {
          var a = ring[i === 0 ? ring.length - 1 : i - 1], b = ring[i];
          var ax = (a[0] - lng) * cosLat * k, ay = (a[1] - lat) * k, bx = (b[0] - lng) * cosLat * k, by = (b[1] - lat) * k;
          var dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
          var t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
          var d = distanceM(lat, lng, a[1] + t * (b[1] - a[1]), a[0] + t * (b[0] - a[0]));
          if (best === null || d < best) best = d;
        }
      });
    });
    return best;
  }
  var geo = {
    wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84, gcj02ToBd09: gcj02ToBd09,
    wgs84ToBd09: wgs84ToBd09, bd09ToWgs84: bd09ToWgs84, fromWgs84: fromWgs84, toWgs84: toWgs84,
    distanceM: distanceM, pointInBoundary: pointInBoundary, distanceOutsideM: distanceOutsideM
  };
  if (typeof module !== "undefined" && module.exports) { module.exports = geo; }
  root.gridgovGeo = geo;
  if (typeof document === "undefined") return;

  // ------------------------------------------------------------ the maps
  var _ = root.gettext || function (s) { return s; };
  var interpolate = root.interpolate || function (fmt, obj) { return fmt.replace(/%\((\w+)\)s/g, function (m, k) { return obj[k]; }); };

  function baseMap(el) {
    var d = el.dataset, crs = d.tileCrs || "wgs84";
    var map = root.L.map(el, { zoomSnap: 0.5, attributionControl: !!d.tileUrl, maxZoom: parseInt(d.maxZoom || "18", 10) });
    if (d.tileUrl) {
      var opts = { maxZoom: parseInt(d.maxZoom || "18", 10), attribution: d.attribution || "" };
      if (d.subdomains) opts.subdomains = d.subdomains.indexOf(",") >= 0 ? d.subdomains.split(",") : d.subdomains;
      root.L.tileLayer(d.tileUrl, opts).addTo(map);
    } else {
      el.classList.add("gg-map-blank");
    }
    map.setView([35.0, 105.0], 4);
    return {
      map: map,
      show: function (lat, lng) { var p = fromWgs84(lat, lng, crs); return root.L.latLng(p[0], p[1]); },
      back: function (latlng) { return toWgs84(latlng.lat, latlng.lng, crs); },
      coordsToLatLng: function (c) { var p = fromWgs84(c[1], c[0], crs); return root.L.latLng(p[0], p[1]); }
    };
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (r) {
        return r.text().then(function (text) {
          var body = null;
          try { body = JSON.parse(text); } catch (e) { body = null; }
          if (!r.ok || !body) throw new Error((body && body.error) || String(r.status));
          return body;
        });
      });
  }

  function swatch(colour, cls, label) {
    var item = document.createElement("span"), box = document.createElement("span");
    item.className = "gg-legend-item";
    box.className = "gg-swatch" + (cls ? " " + cls : "");
    if (colour) box.style.backgroundColor = colour;
    item.appendChild(box);
    item.appendChild(document.createTextNode(label));
    return item;
  }

  function caseLink(p) {
    var a = document.createElement("a");
    a.href = p.url; a.textContent = p.title;
    var div = document.createElement("div"), s = document.createElement("div");
    s.className = "muted"; s.textContent = p.status_label;
    div.appendChild(a); div.appendChild(s);
    return div;
  }

  function nodePopup(p, kpiName) {
    var div = document.createElement("div"), name = document.createElement("strong"), value = document.createElement("div");
    name.textContent = p.name;
    value.textContent = kpiName + " " + p.label;
    div.appendChild(name); div.appendChild(value);
    if (p.url) {
      var a = document.createElement("a");
      a.href = p.url; a.textContent = _("进入") + " " + p.name;
      div.appendChild(a);
    }
    return div;
  }

  function territoryMap(el) {
    var box = el.closest(".gg-map-box") || el.parentNode;
    var kpiSelect = box.querySelector(".gg-map-kpi"), periodSelect = box.querySelector(".gg-map-period"), statusSelect = box.querySelector(".gg-map-status");
    var legendBox = box.querySelector(".gg-map-legend"), note = box.querySelector(".gg-map-note");
    var m = baseMap(el), map = m.map, boundaries = null, outlines = null, first = true, casesTimer = null, seq = 0;
    var points = root.L.markerClusterGroup
      ? root.L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false, disableClusteringAtZoom: 18 })
      : root.L.layerGroup();
    points.addTo(map);
    var gridLegend = [], caseLegend = [];

    function drawLegend() {
      if (!legendBox) return;
      legendBox.textContent = "";
      gridLegend.forEach(function (item) { legendBox.appendChild(item); });
      if (caseLegend.length) legendBox.appendChild(document.createElement("br"));
      caseLegend.forEach(function (item) { legendBox.appendChild(item); });
    }
    function say(text) { if (note) note.textContent = text; }

    function loadGrids() {
      var q = new URLSearchParams();
      if (kpiSelect) q.set("kpi", kpiSelect.value);
      if (periodSelect) q.set("period", periodSelect.value);
      el.dataset.state = "loading";
      return getJSON(el.dataset.gridsUrl + "?" + q.toString()).then(function (fc) {
        if (boundaries) map.removeLayer(boundaries);
        boundaries = root.L.geoJSON(fc, {
          coordsToLatLng: m.coordsToLatLng,
          style: function (f) {
            return { className: "gg-boundary", color: "#37474f", weight: 1, fillColor: f.properties.colour, fillOpacity: 0.45,
                     dashArray: f.properties.approximate ? "4 3" : null };
          },
          onEachFeature: function (f, layer) {
            var text = f.properties.name + "：" + fc.kpi_name + " " + f.properties.label;
            if (!root.L.Browser.touch) layer.bindTooltip(text, { sticky: true });
            layer.bindPopup(nodePopup(f.properties, fc.kpi_name));
          }
        }).addTo(map);
        if (outlines) map.removeLayer(outlines);
        outlines = root.L.geoJSON({ type: "FeatureCollection", features: fc.outlines || [] }, {
          coordsToLatLng: m.coordsToLatLng, interactive: false,
          style: { className: "gg-outline", color: "#263238", weight: 3, fill: false }
        }).addTo(map);
        boundaries.bringToBack();
        gridLegend = [document.createTextNode(fc.kpi_name + "（" + fc.period + "，" + fc.level + (fc.freshness ? "；" + fc.freshness : "") + "）：")].concat(
          (fc.legend || []).map(function (l) { return swatch(l.colour, "", l.label); }));
        drawLegend();
        if (first) {
          first = false;
          var near = (el.dataset.near || "").split(",");
          if (near.length === 2 && isFinite(parseFloat(near[0])) && isFinite(parseFloat(near[1]))) {
            map.setView(m.show(parseFloat(near[0]), parseFloat(near[1])), 16);
            // Several grids (a worker's, far apart): all of them in view rather than their middle.
            if (fc.features.length && !map.getBounds().contains(boundaries.getBounds())) {
              map.fitBounds(boundaries.getBounds(), { padding: [8, 8] });
            }
          } else if (fc.features.length) {
            map.fitBounds(boundaries.getBounds(), { padding: [8, 8] });
          }
        }
        if (!fc.features.length) say(_("此处尚未绘制边界。"));
        return loadCases();
      }).catch(function (e) { el.dataset.state = "error"; say(_("地图数据加载失败：") + e.message); });
    }

    function loadCases() {
      var b = map.getBounds(), sw = m.back(b.getSouthWest()), ne = m.back(b.getNorthEast());
      var bbox = [Math.max(-180, sw[1]), Math.max(-90, sw[0]), Math.min(180, ne[1]), Math.min(90, ne[0])]
        .map(function (v) { return v.toFixed(6); }).join(",");
      var status = statusSelect ? statusSelect.value : "open", mine = ++seq;
      return getJSON(el.dataset.casesUrl + "?status=" + status + "&bbox=" + bbox).then(function (fc) {
        if (mine !== seq) return;
        points.clearLayers();
        var markers = fc.features.map(function (f) {
          var c = f.geometry.coordinates;
          return root.L.circleMarker(m.show(c[1], c[0]), {
            radius: 7, weight: 2, fillOpacity: 0.9, className: "gg-case gg-case-" + f.properties.status
          }).bindPopup(caseLink(f.properties));
        });
        if (points.addLayers) points.addLayers(markers); else markers.forEach(function (mk) { points.addLayer(mk); });
        caseLegend = (fc.statuses || []).map(function (s) { return swatch("", "gg-case-swatch gg-case-" + s.status, s.label); });
        drawLegend();
        say(fc.truncated ? interpolate(_("只显示最新的 %(n)s 件事件，放大地图可查看更多。"), { n: fc.limit }, true) : "");
        el.dataset.state = "ready";
        el.dataset.points = String(markers.length);
      }).catch(function (e) { el.dataset.state = "error"; say(_("地图数据加载失败：") + e.message); });
    }

    map.on("moveend", function () {
      if (first) return;
      clearTimeout(casesTimer);
      casesTimer = setTimeout(loadCases, 300);
    });
    // Full screen (a command centre's wall screen): the map box fills the screen, Leaflet re-measures.
    var full = box.querySelector(".gg-map-fullscreen");
    if (full && document.fullscreenEnabled && box.requestFullscreen) {
      full.hidden = false;
      full.addEventListener("click", function () {
        if (document.fullscreenElement) document.exitFullscreen(); else box.requestFullscreen();
      });
      document.addEventListener("fullscreenchange", function () {
        full.textContent = document.fullscreenElement === box ? _("退出全屏") : _("全屏");
        setTimeout(function () { map.invalidateSize(); }, 100);
      });
    }
    if (kpiSelect) kpiSelect.addEventListener("change", loadGrids);
    if (periodSelect) periodSelect.addEventListener("change", loadGrids);
    if (statusSelect) statusSelect.addEventListener("change", loadCases);
    loadGrids();
  }

  // A case's place: its grid's boundary and the point (data-boundary: the id of a json_script).
  function placeMap(el) {
    var m = baseMap(el), map = m.map, d = el.dataset, layers = [];
    var script = d.boundary && document.getElementById(d.boundary);
    var boundary = script ? JSON.parse(script.textContent) : null;
    if (boundary) {
      var shape = root.L.geoJSON(boundary, {
        coordsToLatLng: m.coordsToLatLng, style: { className: "gg-boundary", color: "#1565c0", weight: 2, fillOpacity: 0.1 }
      }).addTo(map);
      layers.push(shape);
    }
    var lat = parseFloat(d.lat), lng = parseFloat(d.lng);
    if (isFinite(lat) && isFinite(lng)) {
      layers.push(root.L.circleMarker(m.show(lat, lng), { radius: 8, weight: 3, fillOpacity: 0.9, className: "gg-case gg-case-point" })
        .addTo(map));
    }
    if (layers.length) {
      var bounds = root.L.featureGroup(layers).getBounds();
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { maxZoom: 17 });
    }
    el.dataset.state = "ready";
  }

  // The filing form's picker (templates/disputes/_grid_map.html, loaded by static/js/cases.js): the grid's
  // boundary; a tap calls onPick(lat, lng) in WGS-84, converted back from the tiles' system.
  function picker(el, onPick) {
    var m = baseMap(el), map = m.map, boundary = JSON.parse(el.dataset.boundaryJson || "null"), pin = null, shape = null;
    var tolerance = parseFloat(el.dataset.tolerance || "200");
    if (boundary) {
      shape = root.L.geoJSON(boundary, {
        coordsToLatLng: m.coordsToLatLng, interactive: false,
        style: { className: "gg-boundary", color: "#b3261e", weight: 2, fillOpacity: 0.08 }
      }).addTo(map);
      map.fitBounds(shape.getBounds().pad(0.15), { maxZoom: 18 });
    }
    function setPoint(lat, lng) {
      var at = m.show(lat, lng);
      if (!pin) pin = root.L.circleMarker(at, { radius: 8, weight: 3, fillOpacity: 0.9, className: "gg-case gg-case-point", interactive: false }).addTo(map);
      else pin.setLatLng(at);
      // A point far outside the grid (refused when filed) leaves the grid in view, to pick again.
      var off = boundary ? distanceOutsideM(lat, lng, boundary) : 0;
      if (off > tolerance) { if (shape) map.fitBounds(shape.getBounds().pad(0.15), { maxZoom: 18 }); }
      else if (!map.getBounds().contains(at)) map.panTo(at);
    }
    map.on("click", function (e) { var w = m.back(e.latlng); onPick(w[0], w[1]); });
    el.dataset.state = "ready";
    return {
      setPoint: setPoint,
      // Metres outside the grid's boundary (0 inside; null without one).
      outside: function (lat, lng) { return boundary ? distanceOutsideM(lat, lng, boundary) : null; },
      tolerance: tolerance,
      gridName: el.dataset.gridName || ""
    };
  }
  root.gridgovMap = { picker: picker };

  function init() {
    if (!root.L) return;
    Array.prototype.forEach.call(document.querySelectorAll(".gg-map[data-grids-url]"), territoryMap);
    Array.prototype.forEach.call(document.querySelectorAll(".gg-map-place"), placeMap);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})(typeof window !== "undefined" ? window : globalThis);

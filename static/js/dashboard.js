/* The dashboard's charts (Apache ECharts, vendored in static/vendor/echarts) and its full-screen mode.
   Data comes from the page: {{ chart_data|json_script:"dashboard-data" }} (no inline script). Each
   chart has a table beside it with the same figures (screen readers, tests, no JavaScript). */
(function () {
  "use strict";

  var root = document.querySelector("[data-dashboard]");
  if (!root) { return; }
  var t = typeof window.gettext === "function" ? window.gettext : function (s) { return s; };
  var fmt = typeof window.interpolate === "function" ? window.interpolate : function (s, a) { return s.replace("%s", a[0]); };
  var charts = [];
  var BAND = { green: "#3c9a5a", yellow: "#d9a400", red: "#c8402f", "": "#b8c2cc" };
  var RED = "#b3261e";

  function big() { return document.fullscreenElement === root || window.innerWidth >= 1600; }
  function font() { return big() ? 16 : (window.innerWidth < 480 ? 11 : 13); }

  function trendOption(data) {
    var rows = data.trend, labels = data.labels;
    function series(code) { return rows.map(function (r) { return r[code]; }); }
    return {
      animation: false,
      textStyle: { fontSize: font() },
      tooltip: { trigger: "axis", confine: true, renderMode: "richText" },
      legend: { top: 0, textStyle: { fontSize: font() } },
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.label.slice(2); }),
               axisLabel: { fontSize: font(), hideOverlap: true } },
      yAxis: [
        { type: "value", minInterval: 1, axisLabel: { fontSize: font() } },
        { type: "value", name: "%", min: 0, max: 100, axisLabel: { fontSize: font() }, splitLine: { show: false } }
      ],
      series: [
        { name: labels.cases_filed, code: "cases_filed", type: "bar", barMaxWidth: 36, data: series("cases_filed"), itemStyle: { color: "#c9d3dd" } },
        { name: labels.closure_rate, code: "closure_rate", type: "line", yAxisIndex: 1, data: series("closure_rate"),
          connectNulls: false, symbolSize: 8, itemStyle: { color: RED } },
        { name: labels.on_time_rate, code: "on_time_rate", type: "line", yAxisIndex: 1, data: series("on_time_rate"),
          connectNulls: false, symbolSize: 8, itemStyle: { color: "#1a7f37" } }
      ]
    };
  }

  function rankingOption(data) {
    var rows = data.ranking.slice().reverse();  // ECharts draws the first category at the bottom
    return {
      animation: false,
      textStyle: { fontSize: font() },
      tooltip: { trigger: "item", confine: true, renderMode: "richText", formatter: function (p) {
        var r = rows[p.dataIndex];
        return r.name + "：" + (r.value === null ? "—" : r.value + " " + data.by.unit) + (r.rank ? "（" + fmt(t("第 %s 名"), [r.rank]) + "）" : "");
      } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { fontSize: font() } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisLabel: { fontSize: font(), width: window.innerWidth < 480 ? 90 : 160, overflow: "truncate" } },
      series: [{
        type: "bar", name: data.by.name, barMaxWidth: 28,
        data: rows.map(function (r) { return { value: r.value === null ? 0 : r.value, itemStyle: { color: BAND[r.band || ""] } }; }),
        label: { show: true, position: "right", fontSize: font(),
                 formatter: function (p) { var v = rows[p.dataIndex].value; return v === null ? "—" : String(v); } }
      }]
    };
  }

  function draw(el, build, onClick) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build());
    chart.on("click", onClick);
    charts.push({ chart: chart, build: build });
    return chart;
  }

  function drawAll() {
    var holder = document.getElementById("dashboard-data");
    if (!holder || !window.echarts) { return; }
    var data = JSON.parse(holder.textContent);
    var trendEl = root.querySelector('[data-chart="trend"]');
    if (trendEl && data.trend) {
      draw(trendEl, function () { return trendOption(data); }, function (p) {
        var row = data.trend[p.dataIndex];
        var code = p.seriesIndex === 0 ? "cases_filed" : (p.seriesIndex === 1 ? "closure_rate" : "on_time_rate");
        var cell = row && row.cells.filter(function (c) { return c.code === code; })[0];
        if (cell) { window.location.href = cell.url; }
      });
    }
    var rankEl = root.querySelector('[data-chart="ranking"]');
    if (rankEl && data.ranking && data.ranking.length) {
      rankEl.style.height = Math.max(220, data.ranking.length * 30 + 40) + "px";
      draw(rankEl, function () { return rankingOption(data); }, function (p) {
        var rows = data.ranking.slice().reverse();
        if (rows[p.dataIndex]) { window.location.href = rows[p.dataIndex].url; }
      });
    }
  }

  function resize() {
    charts.forEach(function (c) { c.chart.setOption(c.build()); c.chart.resize(); });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(resize, 150);
  });

  // Full screen (command centre): the Fullscreen API on the dashboard itself, a layout that fills it.
  var button = root.querySelector("[data-fullscreen]");
  if (button && document.fullscreenEnabled) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { root.requestFullscreen(); }
    });
    document.addEventListener("fullscreenchange", function () {
      var on = document.fullscreenElement === root;
      root.classList.toggle("is-fullscreen", on);
      button.textContent = on ? t("退出全屏") : t("全屏");
      window.setTimeout(resize, 50);
    });
  }

  // The ranking KPI applies on change (the button stays for no-JS).
  root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  drawAll();
})();

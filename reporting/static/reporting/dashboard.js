/* 挂图作战: draws the figures passed by the page (json_script) with the vendored ECharts; every
   chart element opens the ledger filtered to it. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var charts = {};
  window.dashboardCharts = charts;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) {
      return values[key] === null || values[key] === undefined ? "" : encodeURIComponent(values[key]);
    });
  }
  function go(url) { window.location.href = url.replace(/[?&]\w+=(?=&|$)/g, "").replace("/&", "/?"); }
  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.animation = false;
    option.tooltip = option.tooltip || { trigger: "item" };
    chart.setOption(option);
    if (onClick) { chart.on("click", onClick); }
    charts[id.replace("chart-", "")] = chart;
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  var grid = { left: 40, right: 20, top: 40, bottom: 30, containLabel: true };

  // bars stacked per town or area; `style(s)` adds to each series
  function stacked(labels, series, style) {
    return {
      grid: grid, legend: { top: 0 }, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: series.map(function (s) {
        return Object.assign({ name: s.name, type: "bar", stack: "total", data: s.data, barMaxWidth: 80 }, style(s));
      })
    };
  }

  var ts = data.town_state;
  make("chart-town-state", stacked(ts.towns, ts.series, function (s) {
    return { id: s.id, emphasis: { focus: "series" } };
  }), function (p) {
    // a county's bars open the ledger of that town and state; a province's or a city's bars
    // (cities, counties) open the dashboard of that area
    go(fill(ts.url, { town: ts.town_ids[p.dataIndex], state: p.seriesId, region: ts.codes ? ts.codes[p.dataIndex] : null }));
  });

  var tr = data.trend;
  make("chart-trend", {
    grid: grid, legend: { top: 0 }, tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: tr.months }, yAxis: { type: "value", minInterval: 1 },
    series: [
      { id: "clues", name: "收到线索", type: "line", data: tr.clues, symbolSize: 8 },
      { id: "closed", name: "销号", type: "bar", data: tr.closed, barMaxWidth: 40 }
    ]
  }, function (p) {
    if (p.seriesId === "closed") { go(fill(tr.closed_url, { start: tr.starts[p.dataIndex], end: tr.ends[p.dataIndex] })); return; }
    go(fill(tr.url, { start: tr.starts[p.dataIndex], end: tr.ends[p.dataIndex] }));
  });

  var od = data.overdue;
  make("chart-overdue", {
    grid: grid, xAxis: { type: "category", data: od.towns, axisLabel: { interval: 0 } }, yAxis: { type: "value", minInterval: 1 },
    series: [{ name: "超期案件", type: "bar", data: od.data, barMaxWidth: 80, itemStyle: { color: "#c62828" } }]
  }, function (p) { go(fill(od.url, { town: od.town_ids[p.dataIndex], region: od.codes ? od.codes[p.dataIndex] : null })); });

  var cat = data.categories;
  make("chart-categories", {
    grid: grid, xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: cat.labels.slice().reverse(), axisLabel: { width: 160, overflow: "truncate" } },
    series: [{ name: "案件数", type: "bar", data: cat.data.slice().reverse(), barMaxWidth: 40 }]
  }, function (p) {
    var index = cat.labels.length - 1 - p.dataIndex;
    go(fill(cat.url, { category: cat.ids[index] }));
  });

  var es = data.estates;
  make("chart-estates", {
    grid: grid, xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: es.labels.slice().reverse() },
    series: [{ name: "投诉人数", type: "bar", data: es.data.slice().reverse(), barMaxWidth: 40, itemStyle: { color: "#ef6c00" } }]
  }, function (p) {
    var index = es.labels.length - 1 - p.dataIndex;
    go(fill(es.url, { estate: es.ids[index] }));
  });

  if (data.coverage) {
    var cov = data.coverage;
    make("chart-coverage", {
      grid: grid, tooltip: { trigger: "axis", formatter: function (items) {
        var i = items[0].dataIndex;
        return cov.towns[i] + "<br>已排查物业管理小区 " + cov.inspected[i] + " / " + cov.managed[i] + "（"
          + (cov.rates[i] === null ? "—" : cov.rates[i] + "%") + "）<br>无物业小区已排查 "
          + cov.unmanaged_inspected[i] + " / " + cov.unmanaged[i] + "（单列，不计入覆盖率）";
      } },
      xAxis: { type: "category", data: cov.towns, axisLabel: { interval: 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{ name: "覆盖率", type: "bar", data: cov.rates, barMaxWidth: 80, itemStyle: { color: "#00897b" },
                 label: { show: true, position: "top", formatter: function (p) { return p.value === null ? "—" : p.value + "%"; } } }]
    }, function (p) { go(fill(cov.url, { town: cov.town_ids[p.dataIndex], region: cov.codes[p.dataIndex] })); });
  }

  var colors = { "已采纳": "#2e7d32", "已报送": "#1565c0", "已退回": "#ef6c00", "未报送": "#9e9e9e", "逾期未报": "#c62828" };
  if (data.submission && data.submission.series) {
    // a province's or a city's dashboard: a bar per city or county, opening that area's dashboard
    var subs = data.submission;
    make("chart-submission", stacked(subs.areas, subs.series, function (s) {
      return { itemStyle: { color: colors[s.name] } };
    }), function (p) { go(fill(subs.url, { region: subs.codes[p.dataIndex] })); });
  } else if (data.submission) {
    var sub = data.submission;
    make("chart-submission", {
      legend: { top: 0 },
      series: [{
        type: "pie", radius: ["35%", "65%"], top: 30, label: { formatter: "{b}：{c}" },
        data: sub.items.map(function (item) { return { name: item.name, value: item.value, itemStyle: { color: colors[item.name] } }; })
      }]
    }, function () { go(sub.url); });
  }
})();

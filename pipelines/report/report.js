// Turns the chart specs (JSON, computed in Python) into Chart.js charts.
(function () {
  "use strict";
  var specs = JSON.parse(document.getElementById("chart-specs").textContent);
  var palette = ["#2f6fdb", "#e07a1f", "#2a9d6f", "#b8457e", "#7a5cc7", "#8a8f2c", "#c24e3a", "#3a8fb7"];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 11;

  function styled(dataset, i, kind) {
    var color = palette[i % palette.length];
    var base = {borderColor: color, backgroundColor: kind === "line" ? color : color + "cc",
                pointRadius: 2, borderWidth: 1.5, spanGaps: true};
    if (dataset.type === "line" || kind === "line") { base.backgroundColor = color; }
    return Object.assign(base, dataset);
  }

  function calendar(spec) {
    var weeks = spec.labels.length || 1;
    return {
      type: "matrix",
      data: {datasets: [{
        label: spec.series[0].label,
        data: spec.series[0].data,
        backgroundColor: function (ctx) {
          var v = ctx.raw ? ctx.raw.v : 0;
          return v >= 1 ? "#2a9d6f" : (v > 0 ? "#9fd8bf" : "#e6e8ee");
        },
        borderWidth: 1, borderColor: "#ffffff",
        width: function (ctx) { var a = ctx.chart.chartArea; return a ? a.width / weeks - 1 : 8; },
        height: function (ctx) { var a = ctx.chart.chartArea; return a ? a.height / spec.y_labels.length - 1 : 8; }
      }]},
      options: {
        plugins: {legend: {display: false}, tooltip: {callbacks: {
          title: function (items) { return items[0].raw.d; },
          label: function (item) { var v = item.raw.v; return v >= 1 ? "target met" : (v > 0 ? "done, short of target" : "not done"); }
        }}},
        scales: {
          x: {type: "category", labels: spec.labels, offset: true, grid: {display: false},
              ticks: {maxTicksLimit: 6, maxRotation: 0}},
          y: {type: "category", labels: spec.y_labels, offset: true, grid: {display: false}}
        }
      }
    };
  }

  function config(spec) {
    if (spec.kind === "calendar") { return calendar(spec); }
    var stacked = spec.kind === "stacked";
    return {
      type: spec.kind === "line" ? "line" : "bar",
      data: {labels: spec.labels, datasets: spec.series.map(function (d, i) { return styled(d, i, spec.kind); })},
      options: {
        interaction: {mode: "index", intersect: false},
        plugins: {legend: {display: spec.series.length > 1, labels: {boxWidth: 12}}},
        scales: {
          x: {stacked: stacked, ticks: {maxTicksLimit: 8, maxRotation: 0}},
          y: {stacked: stacked, beginAtZero: spec.kind !== "line",
              title: {display: !!spec.y_label, text: spec.y_label}}
        }
      }
    };
  }

  specs.forEach(function (spec) {
    var canvas = document.getElementById("chart-" + spec.id);
    if (canvas) { new Chart(canvas, config(spec)); }
  });
  document.documentElement.setAttribute("data-charts-ready", String(specs.length));
})();

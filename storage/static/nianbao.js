/* Draws every <canvas> that has a <script type="application/json" class="chart-data"> beside it
   with the vendored Chart.js (chart.umd.min.js, 4.6.1). The data is aggregated on the server. */
(function () {
  "use strict";
  var palette = ["#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f"];
  function draw(spec, canvas) {
    var unit = spec.unit || "";
    var datasets = spec.datasets.map(function (d, i) {
      var color = palette[i % palette.length];
      // lines join the years around one without data (a rate with nothing to divide)
      var ds = {label: d.label, data: d.data, backgroundColor: color, borderColor: color, spanGaps: true,
                pointRadius: 4};
      if (spec.late) {   // a body's timeline: the bars of a late year get a thick red outline
        ds.borderColor = spec.late.map(function (l) { return l ? "#b42318" : color; });
        ds.borderWidth = spec.late.map(function (l) { return l ? 3 : 0; });
      }
      return ds;
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: datasets},
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        scales: {x: {stacked: !!spec.stacked},
                 y: {stacked: !!spec.stacked, beginAtZero: true, max: spec.stacked ? 100 : undefined,
                     title: {display: !!unit, text: unit}}},
        plugins: {
          // legend boxes in the series colour, not the red outline of a late year's bars
          legend: {labels: {generateLabels: function (chart) {
            return window.Chart.defaults.plugins.legend.labels.generateLabels(chart).map(function (l) {
              l.strokeStyle = l.fillStyle; l.lineWidth = 0; return l;
            });
          }}},
          tooltip: {callbacks: {label: function (c) {
          return c.dataset.label + ": " + (c.raw === null ? "—" : c.raw) + (unit === "%" ? " %" : " " + unit);
        }}}}
      }
    });
  }
  function init() {
    if (!window.Chart) { return; }
    var blocks = document.querySelectorAll("script.chart-data");
    for (var i = 0; i < blocks.length; i++) {
      var canvas = document.getElementById(blocks[i].getAttribute("data-canvas"));
      if (canvas) { draw(JSON.parse(blocks[i].textContent), canvas); canvas.setAttribute("data-drawn", "1"); }
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();

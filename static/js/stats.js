/* Monthly statistics page: the 12-month trend chart (ECharts, served from our own static files).
 * Data comes from the json_script element "stats-trend-data"; no inline scripts or handlers. */
(function () {
  "use strict";
  var source = document.getElementById("stats-trend-data");
  var target = document.getElementById("stats-trend");
  if (!source || !target || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  target.style.height = "360px";
  var chart = echarts.init(target, null, { renderer: "canvas", locale: "ZH" });
  var series = data.series.map(function (s) {
    return { name: s.name, type: s.key === "veterans_total" ? "bar" : "line", data: s.data, connectNulls: false };
  });
  series.push({ name: data.rate.name, type: "line", yAxisIndex: 1, data: data.rate.data, lineStyle: { type: "dashed" } });
  chart.setOption({
    animation: false,
    color: ["#c23531", "#2f4554", "#61a0a8", "#d48265", "#91c7ae", "#749f83"],
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 56, right: 56, top: 40, bottom: 32 },
    xAxis: { type: "category", data: data.months },
    yAxis: [
      { type: "value", name: "人数/次数", minInterval: 1 },
      { type: "value", name: "就业率（%）", min: 0, max: 100, splitLine: { show: false } }
    ],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

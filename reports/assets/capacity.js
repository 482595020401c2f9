// abload capacity.html: the charts of a capacity search (its steps, by
// offered rate) and of a capacity curve (its points, by parallelism), from
// the data embedded in <script id="abload-data">: {"capacity": capacity.json}
// or {"curve": capacity-curve.json, "linear_eps": [...]}. report.js, which
// runs after this script, calls window.abloadCharts with its helpers and
// draws each <div data-chart=KIND> with the function returned for KIND.
// Text from the data reaches the page only as canvas text.
(function () {
  "use strict";

  // As in capacity.md's Mermaid charts.
  var PASS = "#2ca02c", FAIL = "#d62728", LIMIT = "#555555", RATE = "#1f77b4", REF = "#7f7f7f";

  window.abloadCharts = function (lib) {
    var C = lib.data.capacity || {}, CURVE = lib.data.curve || {};
    var LINEAR = lib.data.linear_eps || [];
    var sig = lib.sig, fmtNum = lib.fmtNum, fmtMs = lib.fmtMs;

    function eps(v) { return v == null || !isFinite(v) ? "--" : sig(v, 4) + "/s"; }
    function signedEps(v) { return v == null || !isFinite(v) ? "--" : (v > 0 ? "+" : "") + sig(v, 3) + "/s"; }
    function num(v) { return v == null || !isFinite(v) ? null : v; }
    function positive(v) { return v == null || !isFinite(v) || v <= 0 ? null : v; }

    // line is a series drawn as a line with its points; ref a dashed line
    // without points; dots only points (a step's verdict).
    function line(label, color, fmt, extra) {
      var s = lib.series(label, 0, fmt, { stroke: color, width: 2, points: { show: true, size: 6, stroke: color, fill: "#fff" } });
      for (var k in extra) s[k] = extra[k];
      return s;
    }
    function ref(label, color, fmt) {
      return lib.series(label, 0, fmt, { stroke: color, width: 1.5, dash: [6, 4], points: { show: false } });
    }
    function dots(label, color, fmt) {
      return lib.series(label, 0, fmt, {
        stroke: color, paths: function () { return null; },
        points: { show: true, size: 10, width: 1, stroke: "#fff", fill: color },
      });
    }

    // marks draws what is not a series: a shaded band from x = band.from to
    // the right (the failing rates), vertical and horizontal dashed lines
    // with their labels (at the left, above the line or below it), and a
    // label above each point of a series.
    function marks(m) {
      function dash(ctx, r, color) {
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.5 * r;
        ctx.setLineDash([6 * r, 4 * r]);
      }
      return {
        hooks: {
          drawAxes: [function (u) {
            if (!m.band || !(m.band.from > 0)) return;
            var ctx = u.ctx, b = u.bbox, x = Math.max(b.left, u.valToPos(m.band.from, "x", true));
            if (x >= b.left + b.width) return;
            ctx.save();
            ctx.fillStyle = "rgba(214, 39, 40, 0.08)";
            ctx.fillRect(x, b.top, b.left + b.width - x, b.height);
            ctx.restore();
          }],
          draw: [function (u) {
            var ctx = u.ctx, b = u.bbox, r = uPlot.pxRatio;
            ctx.save();
            ctx.beginPath();
            ctx.rect(b.left, b.top, b.width, b.height);
            ctx.clip();
            ctx.font = Math.round(11 * r) + "px system-ui, sans-serif";
            (m.vlines || []).forEach(function (l, i) {
              if (!(l.x > 0)) return;
              var x = Math.round(u.valToPos(l.x, "x", true)) + 0.5;
              dash(ctx, r, l.color);
              ctx.beginPath();
              ctx.moveTo(x, b.top);
              ctx.lineTo(x, b.top + b.height);
              ctx.stroke();
              ctx.fillStyle = l.color;
              ctx.textAlign = x > b.left + b.width / 2 ? "right" : "left";
              ctx.textBaseline = "top";
              ctx.fillText(l.label, x + (ctx.textAlign === "left" ? 4 : -4) * r, b.top + (4 + 14 * i) * r);
            });
            (m.hlines || []).forEach(function (l) {
              if (l.y == null || !isFinite(l.y)) return;
              var y = Math.round(u.valToPos(l.y, "y", true)) + 0.5;
              if (y < b.top || y > b.top + b.height) return;
              dash(ctx, r, l.color);
              ctx.beginPath();
              ctx.moveTo(b.left, y);
              ctx.lineTo(b.left + b.width, y);
              ctx.stroke();
              ctx.fillStyle = l.color;
              ctx.textAlign = "left";
              ctx.textBaseline = l.below ? "top" : "bottom";
              ctx.fillText(l.label, b.left + 4 * r, y + (l.below ? 3 : -2) * r);
            });
            ctx.setLineDash([]);
            if (m.labels) {
              var xs = u.data[0], ys = u.data[m.labels.series];
              ctx.fillStyle = "#333";
              ctx.textAlign = "center";
              ctx.textBaseline = "bottom";
              for (var i = 0; i < xs.length; i++) {
                if (ys[i] == null) continue;
                ctx.fillText(m.labels.text[i], u.valToPos(xs[i], "x", true), u.valToPos(ys[i], "y", true) - 7 * r);
              }
            }
            ctx.restore();
          }],
        },
      };
    }

    // including widens a scale's range to take in values drawn as lines.
    function including(extra, log) {
      return function (u, min, max) {
        extra.forEach(function (v) {
          if (v == null || !isFinite(v) || (log && v <= 0)) return;
          min = min == null ? v : Math.min(min, v);
          max = max == null ? v : Math.max(max, v);
        });
        if (min == null) return log ? [1, 10] : [0, 1];
        if (log) return uPlot.rangeLog(min, max, 10, true);
        var lo = Math.min(0, min), hi = Math.max(0, max);
        var pad = (hi - lo || Math.abs(hi) || 1) * 0.12; // room for the labels above points
        return [min < 0 ? lo - pad : 0, hi + pad];
      };
    }

    // ---- a capacity search ----------------------------------------------------------

    var steps = (C.steps || []).slice().sort(function (a, b) { return a.rate_eps - b.rate_eps || a.n - b.n; });
    var rates = steps.map(function (s) { return s.rate_eps; });
    var stepNames = steps.map(function (s) { return "#" + s.n; });
    function col(key, f) { return steps.map(function (s) { return (f || num)(s[key]); }); }
    // byVerdict keeps the values of the steps that passed (pass true) or
    // did not.
    function passed(s) { return s.verdict === "pass"; }
    function byVerdict(vals, pass) {
      return vals.map(function (v, i) { return passed(steps[i]) === pass ? v : null; });
    }
    var slo = C.slo || {};

    var xRate = { label: "offered", value: function (u, v) { return eps(v); } };
    function rateAxis() { return { label: "offered rate (events/s)", labelSize: 20, values: lib.values(fmtNum) }; }
    function rateRange(u, min, max) {
      if (min == null) return [0, 1];
      var pad = Math.max((max - min) * 0.08, max * 0.04, 1);
      return [Math.max(0, min - pad), max + pad];
    }
    function searchMarks(labelSeries, extra) {
      var m = {
        band: { from: C.first_failing_eps },
        vlines: [{ x: C.sustainable_eps, color: PASS, label: "sustainable " + eps(C.sustainable_eps) }],
        labels: { series: labelSeries, text: stepNames },
      };
      for (var k in extra) m[k] = extra[k];
      return marks(m);
    }

    function latency(el) {
      var p50 = col("e2e_p50_ms", positive), p99 = col("e2e_p99_ms", positive);
      var log = p50.concat(p99).some(function (v) { return v != null; });
      var bound = slo.e2e_p99_ms > 0 ? slo.e2e_p99_ms : null;
      lib.make(el, {
        title: "e2e latency by offered rate",
        height: 300,
        scales: {
          x: { time: false, range: rateRange },
          y: log ? { distr: 3, log: 10, range: including([bound], true) } : { range: including([bound], false) },
        },
        series: [xRate,
          line("e2e p50", RATE, fmtMs, { width: 1.5 }),
          line("e2e p99", "#9467bd", fmtMs),
          dots("passed (p99)", PASS, fmtMs),
          dots("failed (p99)", FAIL, fmtMs),
        ],
        axes: [rateAxis(), log ? lib.logAxis("ms") : lib.yAxis("ms", fmtNum)],
        plugins: [searchMarks(2, { hlines: bound ? [{ y: bound, color: LIMIT, label: "SLO: e2e p99 <= " + fmtMs(bound) }] : [] })],
      }, [rates, p50, p99, byVerdict(p99, true), byVerdict(p99, false)]);
    }

    // throughput has the same range on both axes, so that y = x is the
    // diagonal.
    function throughput(el) {
      var processed = col("processed_eps", positive);
      var sat = C.saturation_eps > 0 ? C.saturation_eps : null;
      var all = rates.concat(processed, [sat]).filter(function (v) { return v != null; });
      var lo = Math.min.apply(null, all), hi = Math.max.apply(null, all);
      var pad = Math.max((hi - lo) * 0.08, hi * 0.04, 1);
      var both = function () { return [Math.max(0, lo - pad), hi + pad]; };
      lib.make(el, {
        title: "Offered and processed rate",
        height: 340,
        scales: { x: { time: false, range: both }, y: { range: both } },
        series: [xRate,
          line("processed (source read)", RATE, eps),
          ref("offered (y = x)", REF, eps),
          dots("passed", PASS, eps),
          dots("failed", FAIL, eps),
        ],
        axes: [rateAxis(), lib.yAxis("events/s", fmtNum)],
        plugins: [searchMarks(1, { hlines: sat ? [{ y: sat, color: FAIL, label: "saturation " + eps(sat) }] : [] })],
      }, [rates, processed, rates.slice(), byVerdict(processed, true), byVerdict(processed, false)]);
    }

    function lag(el) {
      var slope = col("lag_slope_eps");
      var ratio = slo.lag_slope_ratio > 0 ? slo.lag_slope_ratio : null;
      var ser = [xRate, line("lag slope", "#ff7f0e", signedEps)], data = [rates, slope];
      if (ratio) {
        ser.push(ref("SLO: " + sig(ratio, 3) + " × offered", LIMIT, signedEps));
        data.push(rates.map(function (r) { return ratio * r; }));
      }
      ser.push(dots("passed", PASS, signedEps), dots("failed", FAIL, signedEps));
      data.push(byVerdict(slope, true), byVerdict(slope, false));
      lib.make(el, {
        title: "Input lag slope by offered rate",
        scales: { x: { time: false, range: rateRange }, y: { range: including([0], false) } },
        series: ser,
        axes: [rateAxis(), lib.yAxis("events/s", fmtNum)],
        plugins: [searchMarks(1, { hlines: [{ y: 0, color: REF, label: "" }] })],
      }, data);
    }

    // search shows the steps in the order they ran: the rate grows while
    // steps pass, then is bisected between the last pass and the first failure.
    function search(el) {
      var ran = (C.steps || []).slice().sort(function (a, b) { return a.n - b.n; });
      var ns = ran.map(function (s) { return s.n; });
      var offered = ran.map(function (s) { return num(s.rate_eps); });
      var processed = ran.map(function (s) { return positive(s.processed_eps); });
      var verdict = function (pass) { return offered.map(function (r, i) { return passed(ran[i]) === pass ? r : null; }); };
      var hl = [];
      if (C.sustainable_eps > 0) hl.push({ y: C.sustainable_eps, color: PASS, label: "sustainable " + eps(C.sustainable_eps), below: true });
      if (C.first_failing_eps > 0) hl.push({ y: C.first_failing_eps, color: FAIL, label: "first failing " + eps(C.first_failing_eps) });
      lib.make(el, {
        title: "The search, step by step",
        scales: {
          x: { time: false, range: function (u, min, max) { return [min - 0.5, max + 0.5]; } },
          y: { range: including([0, C.sustainable_eps, C.first_failing_eps], false) },
        },
        series: [
          { label: "step", value: function (u, v) { return v == null ? "--" : "#" + v; } },
          line("offered", REF, eps, { width: 1.5 }),
          ref("processed", RATE, eps),
          dots("passed", PASS, eps),
          dots("failed", FAIL, eps),
        ],
        axes: [
          {
            label: "step (in the order they ran)", labelSize: 20,
            splits: function () { return ns; },
            values: lib.values(function (v) { return "#" + v; }),
          },
          lib.yAxis("events/s", fmtNum),
        ],
        plugins: [marks({ hlines: hl })],
      }, [ns, offered, processed, verdict(true), verdict(false)]);
    }

    // ---- a capacity curve -----------------------------------------------------------

    var points = (CURVE.points || []).map(function (p, i) { return { p: p, linear: LINEAR[i] }; })
      .filter(function (q) { return q.p.parallelism > 0; })
      .sort(function (a, b) { return a.p.parallelism - b.p.parallelism; });
    var par = points.map(function (q) { return q.p.parallelism; });
    var xPar = { label: "parallelism", value: function (u, v) { return v == null ? "--" : String(v); } };
    function parAxis() {
      return {
        label: "parallelism", labelSize: 20,
        splits: function () { return par.filter(function (v, i) { return i === 0 || par[i - 1] !== v; }); },
        values: lib.values(String),
      };
    }
    function parRange(u, min, max) { return [0, max + Math.max(0.5, max * 0.08)]; }
    function pcol(f) { return points.map(function (q) { return q.p.error && !(q.p.sustainable_eps > 0) ? null : f(q); }); }

    function curveRate(el) {
      var need = CURVE.demand && CURVE.demand.need_eps > 0 ? CURVE.demand.need_eps : null;
      var sus = pcol(function (q) { return num(q.p.sustainable_eps); });
      lib.make(el, {
        title: "Sustainable rate by parallelism",
        height: 300,
        scales: { x: { time: false, range: parRange }, y: { range: including([0, need], false) } },
        series: [xPar,
          line("sustainable", PASS, eps),
          ref("first failing", FAIL, eps),
          ref("linear scaling", REF, eps),
        ],
        axes: [parAxis(), lib.yAxis("events/s", fmtNum)],
        plugins: [marks({
          hlines: need ? [{ y: need, color: FAIL, label: "demand " + eps(need) + " (target + headroom)" }] : [],
          labels: { series: 1, text: points.map(function (q) { return String(q.p.name || ""); }) },
        })],
      }, [par, sus, pcol(function (q) { return positive(q.p.first_failing_eps); }),
        points.map(function (q) { return positive(q.linear); })]);
    }

    function curveEfficiency(el) {
      var eff = points.map(function (q) { return positive(q.p.scaling_efficiency); });
      lib.make(el, {
        title: "Scaling efficiency",
        scales: { x: { time: false, range: parRange }, y: { range: including([0, 1.1], false) } },
        series: [xPar,
          lib.series("scaling efficiency", 0, function (v) { return v == null ? "--" : sig(v, 3); }, {
            stroke: RATE, fill: "rgba(31, 119, 180, 0.5)", width: 1,
            paths: uPlot.paths.bars({ size: [0.5, 60] }), points: { show: false },
          }),
        ],
        axes: [parAxis(), lib.yAxis("× linear", fmtNum)],
        plugins: [marks({
          hlines: [{ y: 1, color: REF, label: "linear (1)" }],
          labels: { series: 1, text: eff.map(function (v) { return v == null ? "" : sig(v, 2); }) },
        })],
      }, [par, eff]);
    }

    return {
      cap_latency: latency, cap_rates: throughput, cap_lag: lag, cap_search: search,
      curve_rate: curveRate, curve_efficiency: curveEfficiency,
    };
  };
})();

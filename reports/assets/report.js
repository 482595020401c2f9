// abload report.html: draws the charts of the page with uPlot, from the
// result embedded in <script id="abload-data">. Each <div data-chart=KIND>
// that the page has gets one chart; the page leaves out the divs whose data
// the result lacks. Text from the result reaches the page only through
// textContent and canvas text, never as markup.
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("abload-data").textContent);
  var R = DATA.result || {};
  var SPECTRA = DATA.spectra || [];
  var COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  var HEIGHT = 240;
  var charts = [];

  function color(i) { return COLORS[i % COLORS.length]; }

  // ---- number formats -------------------------------------------------------

  function sig(v, digits) {
    if (v === 0) return "0";
    var a = Math.abs(v);
    var d = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
    return String(Number(v.toFixed(Math.min(d, 6))));
  }
  function fmtNum(v) {
    if (v == null || !isFinite(v)) return "--";
    var a = Math.abs(v);
    if (a >= 1e9) return sig(v / 1e9, 3) + "G";
    if (a >= 1e6) return sig(v / 1e6, 3) + "M";
    if (a >= 1e4) return sig(v / 1e3, 3) + "k";
    return sig(v, 3);
  }
  function fmtMs(v) { return v == null || !isFinite(v) ? "--" : sig(v, 3) + " ms"; }
  function fmtBytes(v) {
    if (v == null || !isFinite(v)) return "--";
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return sig(v, 3) + " " + units[i];
  }
  // The spectrum's x is 1/(1-p): 1 is 0%, 10 is 90%, 1000 is 99.9%.
  function fmtPctX(x) {
    if (x == null || !isFinite(x) || x < 1) return "--";
    var p = 100 * (1 - 1 / x);
    var d = Math.max(0, Math.ceil(Math.log10(x) - 1e-9) - 2);
    return String(Number(p.toFixed(Math.min(d + 1, 8)).replace(/0+$/, "").replace(/\.$/, ""))) + "%";
  }
  function values(fmt) {
    return function (u, splits) { return splits.map(function (v) { return v == null ? "" : fmt(v); }); };
  }

  // ---- chart helpers ----------------------------------------------------------

  function width(el) { return Math.max(280, Math.floor(el.clientWidth || 600)); }

  function series(label, i, fmt, extra) {
    var s = {
      label: label, stroke: color(i), width: 1.5, points: { show: false },
      value: function (u, v) { return fmt(v); },
    };
    for (var k in extra) s[k] = extra[k];
    return s;
  }

  // xSeconds is the x series and axis of the charts over the run's time.
  var xSeconds = { label: "t", value: function (u, v) { return v == null ? "--" : sig(v, 4) + " s"; } };
  function xAxis() { return { label: "seconds from the run's start", labelSize: 20 }; }
  function yAxis(label, fmt, size) { return { label: label, labelSize: 20, size: size || 56, values: values(fmt) }; }

  function sortedBy(list, key) {
    return list.slice().sort(function (a, b) { return a[key] - b[key]; });
  }

  // withGaps turns samples [t, v] taken about once a second into a table
  // [xs, ys], with a null (a gap in the line) where samples are missing, as
  // while a process was down.
  function withGaps(samples) {
    var xs = [], ys = [];
    samples.forEach(function (p, i) {
      if (i > 0 && p[0] - samples[i - 1][0] > 2.5) {
        xs.push((p[0] + samples[i - 1][0]) / 2);
        ys.push(null);
      }
      xs.push(p[0]);
      ys.push(p[1]);
    });
    return [xs, ys];
  }

  // join aligns tables [xs, ys] that have x values of their own.
  function join(tables) {
    if (tables.length === 1) return tables[0];
    return uPlot.join(tables);
  }

  function make(el, opts, data) {
    opts.width = width(el);
    opts.height = opts.height || HEIGHT;
    var u = new uPlot(opts, data, el);
    charts.push({ u: u, el: el });
    return u;
  }

  // ---- markers: phases, checkpoints in flight, faults ---------------------------

  function checkpointBands() {
    var ts = R.timeseries || [], bands = [];
    for (var i = 0; i < ts.length; i++) {
      if (!ts[i].checkpoint_in_progress) continue;
      var to = ts[i].t_s, from = i > 0 ? ts[i - 1].t_s : to - 1;
      var last = bands[bands.length - 1];
      if (last && last[1] >= from) last[1] = to; else bands.push([from, to]);
    }
    return bands;
  }

  function markers(withBands) {
    var bands = withBands ? checkpointBands() : [];
    var phases = R.phases || [], faults = (R.recovery || []).slice();
    (R.rescales || []).forEach(function (s) {
      faults.push({ at_s: s.at_s, fault: s.action + " (p" + s.parallelism_before + "→" + s.parallelism_after + ")" });
    });
    function px(u, v) { return u.valToPos(v, "x", true); }
    function clip(u, ctx) {
      var b = u.bbox;
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.left, b.top, b.width, b.height);
      ctx.clip();
    }
    return {
      hooks: {
        drawAxes: [function (u) {
          if (!bands.length) return;
          var ctx = u.ctx, b = u.bbox;
          clip(u, ctx);
          ctx.fillStyle = "rgba(31, 119, 180, 0.12)";
          bands.forEach(function (band) {
            var x0 = px(u, band[0]), x1 = px(u, band[1]);
            ctx.fillRect(x0, b.top, Math.max(1, x1 - x0), b.height);
          });
          ctx.restore();
        }],
        draw: [function (u) {
          var ctx = u.ctx, b = u.bbox, r = uPlot.pxRatio;
          clip(u, ctx);
          ctx.font = Math.round(11 * r) + "px system-ui, sans-serif";
          ctx.textAlign = "left";
          ctx.textBaseline = "top";
          phases.forEach(function (ph) {
            var x0 = px(u, ph.start_s), x1 = ph.end_s > ph.start_s ? px(u, ph.end_s) : b.left + b.width;
            if (x1 < b.left || x0 > b.left + b.width) return;
            ctx.strokeStyle = "rgba(60, 60, 60, 0.55)";
            ctx.lineWidth = r;
            ctx.setLineDash([4 * r, 4 * r]);
            ctx.beginPath();
            ctx.moveTo(Math.round(x0) + 0.5, b.top);
            ctx.lineTo(Math.round(x0) + 0.5, b.top + b.height);
            ctx.stroke();
            ctx.setLineDash([]);
            var lx = Math.max(x0, b.left) + 4 * r, text = String(ph.name || "");
            if (Math.min(x1, b.left + b.width) - lx > ctx.measureText(text).width + 2 * r) {
              ctx.fillStyle = "rgba(40, 40, 40, 0.8)";
              ctx.fillText(text, lx, b.top + 3 * r);
            }
          });
          faults.forEach(function (f) {
            var x = px(u, f.at_s);
            if (x < b.left || x > b.left + b.width) return;
            ctx.strokeStyle = "#d62728";
            ctx.lineWidth = 2 * r;
            ctx.beginPath();
            ctx.moveTo(x, b.top);
            ctx.lineTo(x, b.top + b.height);
            ctx.stroke();
            ctx.fillStyle = "#b42318";
            ctx.fillText(String(f.fault || "fault"), x + 4 * r, b.top + 17 * r);
          });
          ctx.restore();
        }],
      },
    };
  }

  function timeChart(el, title, data, ser, axis, opts) {
    opts = opts || {};
    return make(el, {
      title: title,
      scales: { x: { time: false }, y: opts.yLog ? { distr: 3, log: 10 } : opts.yRange ? { range: opts.yRange } : {} },
      series: [xSeconds].concat(ser),
      axes: [xAxis(), axis],
      cursor: { sync: { key: "run" } },
      plugins: [markers(!!opts.bands)],
    }, data);
  }

  // logAxis labels a log scale at its decades (and at 2 and 5 times them when
  // it spans less than three), with a grid line at each label.
  function logAxis(label) {
    return {
      label: label, labelSize: 20, size: 56,
      splits: function (u, axisIdx, min, max) {
        var lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max)), out = [];
        var steps = hi - lo < 3 ? [1, 2, 5] : [1];
        for (var e = lo; e <= hi; e++) {
          steps.forEach(function (m) {
            var v = m * Math.pow(10, e);
            if (v >= min * 0.999999 && v <= max * 1.000001) out.push(v);
          });
        }
        return out;
      },
      values: values(function (v) { return sig(v, 3); }),
    };
  }

  function fromZero(u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; }

  // ---- the charts -----------------------------------------------------------------

  var draw = {};

  draw.spectrum = function (el) {
    var shown = SPECTRA.filter(function (s) { return s.points && s.points.length; });
    var tables = shown.map(function (s) {
      return [
        s.points.map(function (p) { return 1 / (1 - p.percentile / 100); }),
        s.points.map(function (p) { return p.value_ms > 0 ? p.value_ms : null; }),
      ];
    });
    var data = join(tables);
    var maxX = Math.max.apply(null, data[0]);
    var top = Math.pow(10, Math.max(1, Math.ceil(Math.log10(maxX) - 1e-9)));
    make(el, {
      title: "Latency by percentile",
      height: 300,
      scales: {
        x: { time: false, distr: 3, log: 10, range: function () { return [1, top]; } },
        y: { distr: 3, log: 10 },
      },
      series: [{ label: "percentile", value: function (u, v) { return fmtPctX(v); } }].concat(
        shown.map(function (s, i) { return series(s.name, i, fmtMs, { points: { show: false } }); })),
      axes: [
        {
          label: "percentile", labelSize: 20,
          splits: function () {
            var out = [1, 2];
            for (var x = 10; x <= top * 1.000001; x *= 10) out.push(x);
            return out;
          },
          values: values(fmtPctX),
        },
        logAxis("ms"),
      ],
    }, data);
  };

  function ts(key) { return (R.timeseries || []).map(function (p) { return p[key] == null ? null : p[key]; }); }

  draw.rates = function (el) {
    timeChart(el, "Rates", [ts("t_s"), ts("sent_eps"), ts("read_eps"), ts("in_eps"), ts("out_rps")], [
      series("sent events/s", 0, fmtNum),
      series("read events/s (source)", 1, fmtNum),
      series("processed events/s (updates)", 4, fmtNum),
      series("out records/s", 2, fmtNum),
    ], yAxis("per second", fmtNum), { bands: true, yRange: fromZero });
  };

  draw.e2e_p99 = function (el) {
    timeChart(el, "e2e latency p99 per second", [ts("t_s"), ts("e2e_p99_ms")], [
      series("e2e p99", 3, fmtMs),
    ], yAxis("ms", fmtNum), { bands: true, yRange: fromZero });
  };

  draw.lag = function (el) {
    timeChart(el, "Input lag", [ts("t_s"), ts("lag"), ts("unaccounted")], [
      series("lag (events)", 4, fmtNum),
      series("unaccounted (events)", 7, fmtNum, { dash: [5, 4] }),
    ], yAxis("events", fmtNum), { bands: true, yRange: fromZero });
  };

  function checkpoints() { return sortedBy((R.checkpoints && R.checkpoints.list) || [], "trigger_s"); }

  draw.ckpt_duration = function (el) {
    var list = checkpoints();
    var failed = function (c) { return c.status === "FAILED"; };
    // undefined, not null: the line of completed checkpoints goes on past a
    // failed one. Log scale: a failed checkpoint's timeout dwarfs the rest.
    var pick = function (key, want) {
      return list.map(function (c) { return failed(c) === want && c[key] > 0 ? c[key] : undefined; });
    };
    var data = [list.map(function (c) { return c.trigger_s; }), pick("duration_ms", false),
      pick("sync_ms", false), pick("async_ms", false), pick("alignment_ms", false)];
    var ser = [
      series("duration", 0, fmtMs, { points: { show: true, size: 5 } }),
      series("sync", 1, fmtMs, { width: 1, points: { show: true, size: 3 } }),
      series("async", 2, fmtMs, { width: 1, points: { show: true, size: 3 } }),
      series("alignment", 4, fmtMs, { width: 1, points: { show: true, size: 3 } }),
    ];
    if (list.some(failed)) {
      data.push(pick("duration_ms", true));
      ser.push(series("failed", 3, fmtMs, {
        paths: function () { return null; },
        points: { show: true, size: 9, fill: "#d62728", stroke: "#d62728" },
      }));
    }
    timeChart(el, "Checkpoint durations", data, ser, logAxis("ms"), { yLog: true });
  };

  draw.ckpt_size = function (el) {
    var list = checkpoints();
    var col = function (key) { return list.map(function (c) { return c.status === "FAILED" ? undefined : c[key]; }); };
    timeChart(el, "Checkpoint sizes", [list.map(function (c) { return c.trigger_s; }),
      col("state_size_bytes"), col("checkpointed_size_bytes")], [
      series("state size", 0, fmtBytes, { points: { show: true, size: 5 } }),
      series("checkpointed (uploaded)", 1, fmtBytes, { points: { show: true, size: 5 } }),
    ], yAxis("bytes", fmtBytes, 72), { yRange: fromZero });
  };

  draw.skew = function (el) {
    var v = R.skew.vertices[Number(el.getAttribute("data-vertex"))];
    var recs = v.records_in || [];
    var n = recs.length;
    var xs = recs.map(function (_, i) { return i; });
    var mean = recs.reduce(function (a, b) { return a + b; }, 0) / Math.max(1, n);
    var step = Math.max(1, Math.ceil(n / 24));
    make(el, {
      title: String(v.name || ""),
      height: 200,
      scales: { x: { time: false, range: function () { return [-0.5, n - 0.5]; } }, y: { range: fromZero } },
      series: [
        { label: "subtask", value: function (u, i) { return i == null ? "--" : "#" + i; } },
        series("records in", 0, fmtNum, {
          fill: "rgba(31, 119, 180, 0.55)", width: 1,
          paths: uPlot.paths.bars({ size: [0.7, 60] }), points: { show: false },
        }),
      ],
      axes: [
        {
          label: "subtask", labelSize: 20,
          splits: function () { return xs.filter(function (i) { return i % step === 0; }); },
          values: values(function (i) { return "#" + i; }),
        },
        yAxis("records in", fmtNum),
      ],
      legend: { show: true },
      plugins: [{
        hooks: {
          draw: [function (u) {
            var ctx = u.ctx, b = u.bbox, r = uPlot.pxRatio, y = u.valToPos(mean, "y", true);
            ctx.save();
            ctx.strokeStyle = "#333";
            ctx.lineWidth = r;
            ctx.setLineDash([5 * r, 4 * r]);
            ctx.beginPath();
            ctx.moveTo(b.left, y);
            ctx.lineTo(b.left + b.width, y);
            ctx.stroke();
            ctx.restore();
          }],
        },
      }],
    }, [xs, recs]);
  };

  // perEntity charts one metric of many entities (processes, vertices,
  // TaskManagers), each with its own time series.
  function perEntity(el, title, entities, nameKey, key, fmt, axis, yRange) {
    var shown = entities.filter(function (e) { return e.series && e.series.length; });
    var tables = shown.map(function (e) {
      return withGaps(sortedBy(e.series, "t_s").map(function (p) { return [p.t_s, p[key] == null ? null : p[key]]; }));
    });
    timeChart(el, title, join(tables), shown.map(function (e, i) {
      return series(String(e[nameKey] || "?"), i, fmt);
    }), axis, { yRange: yRange || fromZero });
  }

  function pctFmt(v) { return v == null ? "--" : sig(v, 3) + "%"; }
  function mbFmt(v) { return v == null ? "--" : sig(v, 4) + " MB"; }
  function msPerS(v) { return v == null ? "--" : sig(v, 3) + " ms/s"; }
  function upTo1000(u, min, max) { return [0, Math.max(1000, max)]; }

  draw.cpu = function (el) {
    perEntity(el, "CPU", R.resources || [], "component", "cpu_pct", pctFmt, yAxis("% of one core", fmtNum));
  };
  draw.jit = function (el) {
    var jvms = (R.resources || []).filter(function (e) {
      return (e.series || []).some(function (p) { return p.jit_pct != null; });
    });
    perEntity(el, "JIT", jvms, "component", "jit_pct", pctFmt, yAxis("% of one core", fmtNum));
  };
  draw.rss = function (el) {
    perEntity(el, "Resident memory", R.resources || [], "component", "rss_mb", mbFmt, yAxis("MB", fmtNum));
  };
  draw.busy = function (el) {
    perEntity(el, "Busy", R.flink_metrics.vertices || [], "name", "busy_ms_per_s", msPerS, yAxis("ms/s", fmtNum), upTo1000);
  };
  draw.backpressured = function (el) {
    perEntity(el, "Back-pressured", R.flink_metrics.vertices || [], "name", "backpressured_ms_per_s", msPerS, yAxis("ms/s", fmtNum), upTo1000);
  };
  draw.gc = function (el) {
    perEntity(el, "GC", R.flink_metrics.gc || [], "taskmanager", "gc_ms_per_s", msPerS, yAxis("ms/s", fmtNum));
  };

  // ---- charts of other pages ---------------------------------------------------------

  // A page with charts of its own (capacity.html) defines
  // window.abloadCharts(lib) in a script before this one: it gets these
  // helpers and returns more draw functions by kind, drawn like the above.
  if (typeof window.abloadCharts === "function") {
    var more = window.abloadCharts({
      data: DATA, sig: sig, fmtNum: fmtNum, fmtMs: fmtMs, values: values,
      series: series, yAxis: yAxis, logAxis: logAxis, make: make,
    });
    for (var kind in more) draw[kind] = more[kind];
  }

  // ---- render ---------------------------------------------------------------------

  function render() {
    var els = document.querySelectorAll("div[data-chart]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i], kind = el.getAttribute("data-chart");
      try {
        if (!draw[kind]) throw new Error("no such chart");
        draw[kind](el);
      } catch (e) {
        console.error("abload: chart " + kind + ": " + (e && e.stack ? e.stack : e));
        var msg = document.createElement("div");
        msg.className = "chart-error";
        msg.textContent = "This chart could not be drawn: " + e;
        el.appendChild(msg);
      }
    }
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (c) { c.u.setSize({ width: width(c.el), height: c.u.height }); });
    }, 100);
  });

  render();
})();

// Package reports owns a run's result files and what is rendered from them:
// the result model (result.json, schema abload.result/v1), the latency
// histograms and their interval log (latency.hlog), and the human renderings
// (terminal summary, report.md, report.html, JUnit XML, Go benchmark lines),
// gate evaluation (thresholds, and worse_by regression checks against a
// baseline's runs), named baselines with their history, and the comparison
// of configurations over repetitions: Student's t on log values against the
// run-to-run noise, with intervals; where runs are too few, the default
// noise measured on the A/A corpus in testdata/corpus (noise_default.json,
// checked against the corpus by calibration_test.go).
//
// `abload capacity` writes capacity.json (every step of the search and the
// sustainable rate), with capacity.md (its tables and a Mermaid xychart of
// e2e p99 by offered rate) and capacity.html (the tables and charts of the
// steps: latency against the SLO, processed against offered rate with the
// saturation rate, lag slope, the search's path); over a matrix, each point
// has those in its directory and the curve has capacity-curve.json,
// capacity.md and capacity.html (sustainable rate and scaling efficiency by
// parallelism, the demand answer). The HTML pages are self-contained as
// report.html is.
//
// `abload report` and `abload compare` read only these files, so everything a
// report shows must be recomputable from them. Latencies live in HdrHistograms
// recorded in microseconds (1 µs .. 1 h, 3 significant digits) and are shown
// in milliseconds; percentiles are never averaged, histograms are merged.
//
// In latency.hlog the e2e intervals are untagged, so that reference readers
// (HdrHistogram's HistogramLogProcessor) see them by default; other kinds are
// tagged ("window", "send_delay", ...). Values are microseconds: pass
// -outputValueUnitRatio 1000 to HistogramLogProcessor for milliseconds. The
// Interval_Max column, scaled by hdrhistogram-go's fixed ratio of 1e6, is
// therefore in seconds.
package reports

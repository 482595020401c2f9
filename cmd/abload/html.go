package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/abload/abload/reports"
)

// writeHTMLReport writes dir/report.html from the result and, for the
// latency spectra, dir/latency.hlog. The log holds measured events only
// (each filed under the second it was read, so the slowest may come after
// the phase): the whole log is the measurement phase's distribution.
func writeHTMLReport(dir string, res *reports.Result) error {
	var spectra []reports.Spectrum
	hl := filepath.Join(dir, "latency.hlog")
	if _, err := os.Stat(hl); err == nil {
		s, err := reports.SpectraFromHlog(hl, 0, math.Inf(1))
		if err != nil {
			return fmt.Errorf("read %s: %w", hl, err)
		}
		spectra = s
	}
	f, err := os.Create(filepath.Join(dir, reports.HTMLFile))
	if err != nil {
		return err
	}
	if err := reports.WriteHTML(f, res, spectra); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

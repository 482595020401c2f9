// Package gate is the grammar of abload's gates (`e2e.p99 < 500ms`,
// `e2e.p99 <= baseline * 1.1`, `e2e.p99 worse_by > 10%`): parsing, metric
// aliases and units. It is a leaf, so scenarios can check the gates a
// scenario lists without importing reports; reports evaluates them against
// results and comparisons.
package gate

// Package doccheck holds the tests that keep the documentation honest:
// every relative link and anchor in README.md, DESIGN.md and docs/
// resolves, and every docs page names the example scenario that shows it
// while every example scenario is named by a page. It has no code of its
// own: the checker lives in its test files.
package doccheck

// Package e2echeck holds the claims that the end-to-end tests of more than
// one environment check alike (the local one in package harness, the Docker
// one in package testcontainers), so both hold a figure to the same rule.
// Test support only; nothing in the abload binary imports it.
package e2echeck

// Package scenarios owns the scenario file: its schema (Scenario and its
// sections), the defaults, strict decoding with line numbers, validation that
// reports every problem at once with its dot path, and --set overrides.
//
// Precedence is defaults < file < --set. A scenario file is YAML; unknown
// fields are errors (a typo must never silently fall back to a default), and
// a null value (an empty key such as "workload:") keeps the default.
//
// The workload's models (Profile, Skew, Funnel, Disorder) are plain data
// here: each has a kind, the fields of other kinds must keep their defaults,
// and lists of mappings (profile steps and points) are decoded element by
// element with paths such as "workload.profile.steps[2].at". The funnel's
// defaults are the generators' own (generators.DefaultFunnel); the harness
// maps these fields onto the generators' configuration.
//
// Fields documents every leaf field (path, type, default, meaning); the
// manual's field reference (docs/scenarios.md) is generated from it and a
// test keeps it in step with the struct.
//
// Not yet here (later issues): faults, matrix expansion, job.state_backend and
// job.delivery.
package scenarios

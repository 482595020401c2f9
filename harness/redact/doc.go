// Package redact keeps credentials out of everything abload prints, logs,
// returns and writes. A run (or a command) holds one Secrets set: whatever
// reads a credential (an external cluster's password, token or private
// key; the job argument that carries them) adds it, and the console, the
// errors and the results pass through the same set. Sets are values passed
// in, never process-wide state.
package redact

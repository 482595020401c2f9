package harness

import (
	"encoding/json"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/abload/abload/harness/env/cluster"
)

// Redacted replaces a secret wherever abload would write it down.
const Redacted = "<redacted>"

// secrets are the secret values this process has read (passwords, tokens,
// private keys, and the job argument that carries them): nothing abload
// prints, logs or writes may contain one.
var secrets struct {
	mu   sync.RWMutex
	vals []string // longest first, so a secret containing another is replaced whole
}

// RegisterSecret adds v to the values Redact replaces, with its forms as a
// JSON string and as a Java properties value (how it would appear inside a
// result or an argument). Values shorter than 4 bytes are not registered:
// replacing them would garble every output without protecting anything.
func RegisterSecret(v string) {
	v = strings.TrimSpace(v)
	if len(v) < 4 {
		return
	}
	forms := []string{v}
	if b, err := json.Marshal(v); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	forms = append(forms, cluster.PropertiesValue(v))
	// As a quoted value of a JAAS line (sasl.jaas.config).
	forms = append(forms, strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
	// A multi-line secret (a PEM key) is registered line by line too, so a
	// log that prints one line of it is caught.
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); len(l) >= 16 && !strings.HasPrefix(l, "-----") {
			forms = append(forms, l)
		}
	}
	secrets.mu.Lock()
	defer secrets.mu.Unlock()
	for _, f := range forms {
		if !containsString(secrets.vals, f) {
			secrets.vals = append(secrets.vals, f)
		}
	}
	sort.SliceStable(secrets.vals, func(i, j int) bool { return len(secrets.vals[i]) > len(secrets.vals[j]) })
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Redact returns s with every registered secret replaced by Redacted.
func Redact(s string) string {
	secrets.mu.RLock()
	defer secrets.mu.RUnlock()
	for _, v := range secrets.vals {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
}

// RedactError is err with its message redacted (nil stays nil). errors.Is
// and errors.As still see the original.
func RedactError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if r := Redact(msg); r != msg {
		return &redactedError{msg: r, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactingWriter writes to w with every registered secret replaced. Each
// Write is redacted on its own: abload writes whole lines.
func RedactingWriter(w io.Writer) io.Writer { return redactingWriter{w} }

type redactingWriter struct{ w io.Writer }

func (r redactingWriter) Write(p []byte) (int, error) {
	s := Redact(string(p))
	if _, err := io.WriteString(r.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

// scrub redacts every string of *v in place (error texts, reasons, job
// exceptions) by a round trip through JSON, the form results are written in.
func scrub[T any](v *T) {
	if v == nil {
		return
	}
	secrets.mu.RLock()
	none := len(secrets.vals) == 0
	secrets.mu.RUnlock()
	if none {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	s := Redact(string(b))
	if s == string(b) {
		return
	}
	// UseNumber: an `any` field (the resolved scenario) keeps its integers
	// exact; through float64 a seed above 2^53 would change.
	var clean T
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if d.Decode(&clean) == nil {
		*v = clean
	}
}

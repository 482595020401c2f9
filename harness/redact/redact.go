package redact

import (
	"encoding/json"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/abload/abload/harness/env/cluster"
)

// Redacted replaces a secret wherever abload would write it down.
const Redacted = "<redacted>"

// Secrets are the secret values a run (or a command) has read: passwords,
// tokens, private keys, and the job argument that carries them. Nothing
// abload prints, logs or writes may contain one. The zero value is an empty
// set ready for use; it is safe for concurrent use. A nil *Secrets holds
// nothing and redacts nothing.
type Secrets struct {
	mu   sync.RWMutex
	vals []string // longest first, so a secret containing another is replaced whole
}

// Add adds v to the values the set replaces, with its forms as a JSON
// string and as a Java properties value (how it would appear inside a
// result or an argument). Values shorter than 4 bytes are not added:
// replacing them would garble every output without protecting anything.
// Adding to a nil set does nothing (a caller without a set: a unit test).
func (s *Secrets) Add(v string) {
	v = strings.TrimSpace(v)
	if s == nil || len(v) < 4 {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range forms {
		if !slices.Contains(s.vals, f) {
			s.vals = append(s.vals, f)
		}
	}
	sort.SliceStable(s.vals, func(i, j int) bool { return len(s.vals[i]) > len(s.vals[j]) })
}

// String returns x with every secret of the set replaced by Redacted.
func (s *Secrets) String(x string) string {
	if s == nil {
		return x
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.vals {
		if strings.Contains(x, v) {
			x = strings.ReplaceAll(x, v, Redacted)
		}
	}
	return x
}

// empty says whether the set holds nothing.
func (s *Secrets) empty() bool {
	if s == nil {
		return true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.vals) == 0
}

// Error is err with its message redacted (nil stays nil). errors.Is and
// errors.As still see the original.
func (s *Secrets) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if r := s.String(msg); r != msg {
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

// Writer writes to w with every secret of the set replaced. Each Write is
// redacted on its own: abload writes whole lines.
func (s *Secrets) Writer(w io.Writer) io.Writer { return redactingWriter{s, w} }

type redactingWriter struct {
	s *Secrets
	w io.Writer
}

func (r redactingWriter) Write(p []byte) (int, error) {
	x := r.s.String(string(p))
	if _, err := io.WriteString(r.w, x); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Scrub redacts every string of *v in place (error texts, reasons, job
// exceptions) by a round trip through JSON, the form results are written in.
func Scrub[T any](s *Secrets, v *T) {
	if v == nil || s.empty() {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	x := s.String(string(b))
	if x == string(b) {
		return
	}
	// UseNumber: an `any` field keeps its integers
	// exact; through float64 a seed above 2^53 would change.
	var clean T
	d := json.NewDecoder(strings.NewReader(x))
	d.UseNumber()
	if d.Decode(&clean) == nil {
		*v = clean
	}
}

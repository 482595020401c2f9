package redact

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// randHex is 16 random hex digits, to make each test's secrets unique.
func randHex(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// wrapErr is an error type errors.As must still find through a redacted error.
type wrapErr struct{ err error }

func (e *wrapErr) Error() string { return e.err.Error() }
func (e *wrapErr) Unwrap() error { return e.err }

// A nil set redacts nothing and an empty one leaves results alone.
func TestNilSecrets(t *testing.T) {
	var s *Secrets
	if got := s.String("pw"); got != "pw" {
		t.Errorf("nil set: String = %q", got)
	}
	err := errors.New("x")
	if s.Error(err) != err {
		t.Error("nil set: Error changed the error")
	}
	res := &reports.Result{RunID: "r"}
	Scrub(s, res)
	if res.RunID != "r" {
		t.Error("nil set: Scrub changed the result")
	}
}

// Two sets are independent: a secret added to one is not redacted by the other.
func TestSecretsAreIndependent(t *testing.T) {
	a, b := &Secrets{}, &Secrets{}
	v := "only-in-a-" + randHex(t)
	a.Add(v)
	if got := a.String("x " + v); got != "x "+Redacted {
		t.Errorf("a: %q", got)
	}
	if got := b.String("x " + v); got != "x "+v {
		t.Errorf("b redacted a's secret: %q", got)
	}
}

func TestRedactSecretForms(t *testing.T) {
	s := &Secrets{}
	const secret = "s3cr3t-\"quoted\"\\x"
	s.Add(secret)
	jb, err := json.Marshal(secret)
	if err != nil {
		t.Fatal(err)
	}
	jsonForm := string(jb[1 : len(jb)-1])
	propsForm := cluster.PropertiesValue(secret)
	if jsonForm != `s3cr3t-\"quoted\"\\x` || propsForm != `s3cr3t-"quoted"\\x` {
		t.Fatalf("forms: json %q, properties %q", jsonForm, propsForm)
	}
	for name, form := range map[string]string{"raw": secret, "json": jsonForm, "properties": propsForm} {
		if got := s.String("before " + form + " after"); got != "before <redacted> after" {
			t.Errorf("%s form: Redact = %q, want %q", name, got, "before <redacted> after")
		}
	}
	// A whole JSON document, as results are written.
	doc, _ := json.Marshal(map[string]string{"error": "login as u with " + secret + " failed"})
	if got, want := s.String(string(doc)), `{"error":"login as u with <redacted> failed"}`; got != want {
		t.Errorf("JSON document: Redact = %s, want %s", got, want)
	}
	// Registering the same value twice changes nothing.
	s.Add(secret)
	if got := s.String(secret + secret); got != "<redacted><redacted>" {
		t.Errorf("repeated: Redact = %q", got)
	}
}

func TestRedactShortValuesNotRegistered(t *testing.T) {
	s := &Secrets{}
	short := randHex(t)[:3] // 3 bytes
	s.Add(short)
	s.Add("  " + short + " \n") // 3 bytes once trimmed
	for _, x := range []string{short, "x" + short + "y", "value=" + short} {
		if got := s.String(x); got != x {
			t.Errorf("3-byte value registered: String(%q) = %q", x, got)
		}
	}
	four := "Q" + randHex(t)[:3] // 4 bytes: registered
	s.Add(four)
	if got := s.String("x" + four + "y"); got != "x<redacted>y" {
		t.Errorf("4-byte value: Redact = %q, want x<redacted>y", got)
	}
}

func TestRedactPEMLineByLine(t *testing.T) {
	s := &Secrets{}
	raw := make([]byte, 150)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(raw) // 200 characters
	lines := []string{b64[:64], b64[64:128], b64[128:192], b64[192:]}
	pemText := "-----BEGIN XU TEST KEY-----\n" + strings.Join(lines, "\n") + "\n-----END XU TEST KEY-----\n"
	s.Add(pemText)
	if got := s.String(pemText); got != "<redacted>\n" {
		t.Errorf("whole PEM: Redact = %q, want %q", got, "<redacted>\n")
	}
	if len(lines[1]) != 64 {
		t.Fatalf("line length %d", len(lines[1]))
	}
	for i, l := range lines[:3] {
		if got := s.String(l); got != Redacted {
			t.Errorf("PEM line %d printed alone: Redact = %q, want %q", i, got, Redacted)
		}
		if got := s.String("key line: " + l + "\n"); got != "key line: <redacted>\n" {
			t.Errorf("PEM line %d in a log line: Redact = %q", i, got)
		}
	}
	// Its JSON form (escaped newlines) is caught whole.
	jb, _ := json.Marshal(pemText)
	if got := s.String(string(jb)); got != `"<redacted>\n"` {
		t.Errorf("JSON form of the PEM: Redact = %s", got)
	}
	// The armour lines are not secret.
	if got := s.String("-----BEGIN XU TEST KEY-----"); got != "-----BEGIN XU TEST KEY-----" {
		t.Errorf("armour line redacted: %q", got)
	}
}

func TestRedactLongerSecretWhole(t *testing.T) {
	s := &Secrets{}
	inner := "inner-" + randHex(t)
	outer := "outer-" + inner + "-tail-" + randHex(t)
	s.Add(inner) // the shorter one first
	s.Add(outer)
	if got := s.String("a " + outer + " b"); got != "a <redacted> b" {
		t.Errorf("longer secret: Redact = %q, want %q", got, "a <redacted> b")
	}
	if got := s.String("a " + inner + " b"); got != "a <redacted> b" {
		t.Errorf("shorter secret alone: Redact = %q", got)
	}
	if got := s.String(outer + "|" + inner); got != "<redacted>|<redacted>" {
		t.Errorf("both: Redact = %q", got)
	}
}

func TestRedactErrorKeepsChain(t *testing.T) {
	s := &Secrets{}
	if s.Error(nil) != nil {
		t.Fatal("Error(nil) is not nil")
	}
	secret := "pw-" + randHex(t)
	s.Add(secret)
	sentinel := errors.New("xu sentinel")
	err := fmt.Errorf("connect with %s: %w", secret, &wrapErr{err: sentinel})
	r := s.Error(err)
	if got, want := r.Error(), "connect with <redacted>: xu sentinel"; got != want {
		t.Errorf("redacted error %q, want %q", got, want)
	}
	if !errors.Is(r, sentinel) {
		t.Error("errors.Is(redacted, sentinel) is false")
	}
	var ae *wrapErr
	if !errors.As(r, &ae) || ae.err != sentinel {
		t.Errorf("errors.As(redacted, *wrapErr): %v, %v", ae, ae != nil && ae.err == sentinel)
	}
	clean := fmt.Errorf("nothing secret here %s: %w", randHex(t), sentinel)
	if got := s.Error(clean); got != clean {
		t.Errorf("an error without secrets came back as a different error: %#v", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRedactingWriterLengthAndText(t *testing.T) {
	s := &Secrets{}
	secret := "tok-" + randHex(t)
	s.Add(secret)
	var buf bytes.Buffer
	w := s.Writer(&buf)
	p := []byte("abload: token " + secret + " accepted\n")
	n, err := w.Write(p)
	if err != nil || n != len(p) {
		t.Errorf("Write = %d, %v; want %d, nil", n, err, len(p))
	}
	q := []byte("clean line\n")
	if n, err := w.Write(q); err != nil || n != len(q) {
		t.Errorf("Write clean = %d, %v; want %d, nil", n, err, len(q))
	}
	if got, want := buf.String(), "abload: token <redacted> accepted\nclean line\n"; got != want {
		t.Errorf("written %q, want %q", got, want)
	}
	if n, err := s.Writer(failWriter{}).Write(p); err == nil || n != 0 {
		t.Errorf("failing writer: Write = %d, %v; want 0 and the error", n, err)
	}
}

func TestScrubResult(t *testing.T) {
	s := &Secrets{}
	secret := "scrub-" + randHex(t) + `"\`
	s.Add(secret)
	sc := scenarios.Defaults()
	sc.Name = "xu-scrub"
	sc.Workload.Seed = 1<<62 + 1 // not representable as a float64
	res := &reports.Result{
		Schema:         "abload.result/v1",
		RunID:          "run-xu",
		Status:         reports.Status("failed"),
		InvalidReasons: []string{"clean reason", "login with " + secret + " refused"},
		Error:          "start: kafka: password " + secret + " rejected",
		StartedAt:      "2025-01-02T03:04:05Z",
		Phases:         []reports.Phase{{Name: "measure", StartS: 1.5, EndS: 9.25}},
		Gates:          []reports.Gate{{Expr: "e2e.p99 < 100", Error: "note with " + secret}},
		Scenario:       sc,
	}
	Scrub(s, res)
	if want := []string{"clean reason", "login with <redacted> refused"}; !reflect.DeepEqual(res.InvalidReasons, want) {
		t.Errorf("InvalidReasons %q, want %q", res.InvalidReasons, want)
	}
	if want := "start: kafka: password <redacted> rejected"; res.Error != want {
		t.Errorf("Error %q, want %q", res.Error, want)
	}
	if len(res.Gates) != 1 || res.Gates[0].Error != "note with <redacted>" || res.Gates[0].Expr != "e2e.p99 < 100" {
		t.Errorf("Gates %+v", res.Gates)
	}
	if res.RunID != "run-xu" || res.StartedAt != "2025-01-02T03:04:05Z" || res.Status != "failed" {
		t.Errorf("other fields changed: run id %q, started %q, status %q", res.RunID, res.StartedAt, res.Status)
	}
	if want := []reports.Phase{{Name: "measure", StartS: 1.5, EndS: 9.25}}; !reflect.DeepEqual(res.Phases, want) {
		t.Errorf("Phases %+v, want %+v", res.Phases, want)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("scrub-")) {
		t.Errorf("the secret is still in the result: %s", b)
	}
	// The scenario survives the round trip, numbers exactly.
	sb, _ := json.Marshal(res.Scenario)
	if !bytes.Contains(sb, []byte(`"seed":4611686018427387905`)) || !bytes.Contains(sb, []byte(`"name":"xu-scrub"`)) {
		i := max(0, bytes.Index(sb, []byte(`"seed"`)))
		t.Errorf("scenario after scrub lost its seed or name: %s", sb[i:min(len(sb), i+40)])
	}
	// Nothing to redact: the result is left alone (the same scenario).
	res2 := &reports.Result{RunID: "clean-" + randHex(t), Scenario: sc}
	Scrub(s, res2)
	if res2.Scenario != sc {
		t.Errorf("a result without secrets was rewritten")
	}
	Scrub[reports.Result](s, nil) // must not panic
}

package generators

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDecodeEventJSON(f *testing.F) {
	for _, seed := range []string{
		`{"seq":12,"intended_ns":1764132000123456789,"event_time_ms":1764132000123,"type":"open","campaign":3,"variant":"B","recipient":48213,"bot":false}`,
		`{"seq":-1,"intended_ns":0,"event_time_ms":0,"type":"flush","campaign":0,"variant":"A","recipient":0,"bot":false}`,
		`{"seq":1,"intended_ns":2,"event_time_ms":3,"type":"click","campaign":4,"variant":"a\"\u0000\ud800","recipient":5,"bot":true,"x":{}}`,
		`{}`,
		`[]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEventJSON(b)
		if err != nil {
			return
		}
		out := e.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("AppendJSON wrote invalid JSON: %s", out)
		}
		back, err := DecodeEventJSON(out)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", out, err)
		}
		if back != e {
			t.Fatalf("round trip: %+v, want %+v", back, e)
		}
	})
}

// FuzzAppendJSONVariant checks the string escaper against encoding/json,
// which replaces each invalid UTF-8 byte with U+FFFD.
func FuzzAppendJSONVariant(f *testing.F) {
	for _, s := range []string{"A", "", "a\"b\\c", "\x00\x1f\x7f", "é\u2028", "\xff\xfe", "\xe2\x82"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		e := Event{Type: Open, Variant: v}
		out := e.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON for %q: %s", v, out)
		}
		back, err := DecodeEventJSON(out)
		if err != nil {
			t.Fatalf("decode %s: %v", out, err)
		}
		var want strings.Builder
		for _, r := range v {
			want.WriteRune(r) // range yields U+FFFD for each invalid byte
		}
		if back.Variant != want.String() {
			t.Fatalf("variant %q came back as %q, want %q", v, back.Variant, want.String())
		}
		if !utf8.ValidString(back.Variant) {
			t.Fatalf("decoded variant is not UTF-8")
		}
	})
}

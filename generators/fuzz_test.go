package generators

import (
	"bytes"
	"encoding/hex"
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
		// Whatever JSON accepts, binary carries (variants up to 255 bytes).
		if len(e.Variant) <= MaxVariantLen {
			if bin, err := DecodeEventBinary(e.AppendBinary(nil)); err != nil || bin != e {
				t.Fatalf("binary round trip: %+v, %v; want %+v", bin, err, e)
			}
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

// FuzzDecodeEventBinary: the layout is strict, so a record the decoder
// accepts is the only encoding of its event: re-encoding gives the same
// bytes, and the JSON encoding carries the same event.
func FuzzDecodeEventBinary(f *testing.F) {
	for _, h := range []string{designExampleHex, "ab0107ff", "ab01" + strings.Repeat("00", 39), "7b7d", ""} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	for _, c := range wireVectorEvents() {
		f.Add(c.e.AppendBinary(nil))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEventBinary(b)
		if err != nil {
			return
		}
		if out := e.AppendBinary(nil); !bytes.Equal(out, b) {
			t.Fatalf("re-encoded %x as %x", b, out)
		}
		back, err := DecodeEventJSON(e.AppendJSON(nil))
		if err != nil || back != e {
			t.Fatalf("JSON round trip of %+v: %+v, %v", e, back, err)
		}
		if d, err := DecodeEvent(b); err != nil || d != e {
			t.Fatalf("DecodeEvent disagrees: %+v, %v", d, err)
		}
	})
}

// FuzzBinaryRoundTrip encodes arbitrary field values: every event the
// decoder's range checks accept comes back unchanged.
func FuzzBinaryRoundTrip(f *testing.F) {
	f.Add(int64(12), int64(1764132000123456789), int64(1764132000123), uint8(3), int32(3), "B", int64(48213), false)
	f.Add(int64(-1), int64(0), int64(0), uint8(7), int32(0), "", int64(0), true)
	f.Add(int64(1), int64(-1), int64(-1), uint8(9), int32(-1), "\xff", int64(-1), false)
	f.Fuzz(func(t *testing.T, seq, intended, evTime int64, typ uint8, campaign int32, variant string, recipient int64, bot bool) {
		e := Event{Seq: seq, IntendedNs: intended, EventTimeMs: evTime, Type: EventType(typ), Campaign: campaign, Variant: variant, Recipient: recipient, Bot: bot}
		b := e.AppendBinary(nil)
		// A variant beyond 255 bytes is cut at a UTF-8 boundary.
		if len(variant) > MaxVariantLen {
			e.Variant = truncateUTF8(variant, MaxVariantLen)
		}
		if len(b) != BinaryHeaderLen+len(e.Variant) {
			t.Fatalf("record of %d bytes for a %d-byte variant", len(b), len(e.Variant))
		}
		got, err := DecodeEventBinary(b)
		valid := e.Type <= Flush && utf8.ValidString(e.Variant) && e.checkRanges() == nil
		if valid != (err == nil) {
			t.Fatalf("%+v: valid %v, decode error %v", e, valid, err)
		}
		if valid && got != e {
			t.Fatalf("round trip %+v, want %+v", got, e)
		}
	})
}

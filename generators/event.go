package generators

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
)

// EventType is the kind of an input event.
type EventType uint8

// Event types, in funnel order. Flush is the control record that closes the
// last windows at the end of a run.
const (
	Send EventType = iota
	Delivery
	Bounce
	Open
	Click
	Conversion
	Unsubscribe
	Flush
)

var typeNames = [...]string{
	Send:        "send",
	Delivery:    "delivery",
	Bounce:      "bounce",
	Open:        "open",
	Click:       "click",
	Conversion:  "conversion",
	Unsubscribe: "unsubscribe",
	Flush:       "flush",
}

// String returns the wire name ("open").
func (t EventType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "EventType(" + strconv.Itoa(int(t)) + ")"
}

// ParseEventType maps a wire name back to its EventType.
func ParseEventType(s string) (EventType, error) {
	for i, n := range typeNames {
		if n == s {
			return EventType(i), nil
		}
	}
	return 0, fmt.Errorf("unknown event type %q", s)
}

// FlushSeq is the seq of flush control records.
const FlushSeq = -1

// Event is one input event (or a flush control record).
type Event struct {
	Seq         int64 // position in the run's schedule; FlushSeq for flush
	IntendedNs  int64 // when the schedule said the event was due, Unix ns
	EventTimeMs int64 // event time, Unix ms
	Type        EventType
	Campaign    int32
	Variant     string
	Recipient   int64
	Bot         bool
}

// AppendJSON appends the event's wire form to b, fields in the order of
// DESIGN.md. It allocates only to grow b. It is on the generator's hot path
// (about a third of its time), hence the SWAR integers (appendInt) and the
// constant fragments merged with the type name.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"seq":`...)
	b = appendInt(b, e.Seq)
	b = append(b, `,"intended_ns":`...)
	b = appendInt(b, e.IntendedNs)
	b = append(b, `,"event_time_ms":`...)
	b = appendInt(b, e.EventTimeMs)
	if int(e.Type) < len(jsonTypeCampaign) {
		b = append(b, jsonTypeCampaign[e.Type]...)
	} else {
		b = append(b, `,"type":"`...)
		b = append(b, e.Type.String()...)
		b = append(b, `","campaign":`...)
	}
	b = appendInt(b, int64(e.Campaign))
	b = append(b, `,"variant":`...)
	b = appendJSONString(b, e.Variant)
	b = append(b, `,"recipient":`...)
	b = appendInt(b, e.Recipient)
	if e.Bot {
		return append(b, `,"bot":true}`...)
	}
	return append(b, `,"bot":false}`...)
}

// jsonTypeCampaign holds, per type, the JSON between event_time_ms's value
// and campaign's: one append instead of three.
var jsonTypeCampaign [len(typeNames)]string

func init() {
	for i, n := range typeNames {
		jsonTypeCampaign[i] = `,"type":"` + n + `","campaign":`
	}
}

// appendInt appends v in decimal, as strconv.AppendInt does, but converts
// eight digits at a time with SWAR arithmetic (swar8) and stores them
// straight into b: three 13- to 19-digit times per event made digit-pair
// loops and the scratch-buffer copy the largest cost of encoding.
func appendInt(b []byte, v int64) []byte {
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = -u
	}
	switch {
	case u < 10:
		return append(b, byte('0'+u))
	case u < 100:
		return append(b, digitPairs[2*u], digitPairs[2*u+1])
	case u < 10000:
		// Campaign ids and small recipient ids: two pairs at most.
		hi, lo := u/100, u%100
		if hi < 10 {
			return append(b, byte('0'+hi), digitPairs[2*lo], digitPairs[2*lo+1])
		}
		return append(b, digitPairs[2*hi], digitPairs[2*hi+1], digitPairs[2*lo], digitPairs[2*lo+1])
	}
	l := len(b)
	if cap(b)-l < 24 {
		b = slices.Grow(b, 24)
	}
	p := b[l : l+24 : l+24]
	// The first block is stored shifted down past its leading zeros (the
	// low zero bytes of its word); the bytes it writes past its last digit
	// are overwritten by the next block, or lie beyond the result.
	var first, mid, last uint64
	blocks := 1
	switch {
	case u < 1e8:
		first = u
	case u < 1e16:
		first, last = u/1e8, u%1e8
		blocks = 2
	default:
		hi := u / 1e8
		first, mid, last = hi/1e8, hi%1e8, u%1e8
		blocks = 3
	}
	w := swar8(first)
	z := bits.TrailingZeros64(w) &^ 7
	binary.LittleEndian.PutUint64(p, w>>z|asciiZeros)
	n := 8 - z>>3
	if blocks == 3 {
		binary.LittleEndian.PutUint64(p[n:], swar8(mid)|asciiZeros)
		n += 8
	}
	if blocks >= 2 {
		binary.LittleEndian.PutUint64(p[n:], swar8(last)|asciiZeros)
		n += 8
	}
	return b[:l+n]
}

const asciiZeros = 0x3030303030303030

// digitPairs holds "00" to "99".
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// swar8 returns the 8 decimal digits of x < 1e8, one per byte, the most
// significant in the lowest byte (so a little-endian store writes them in
// reading order). Each step splits every lane of the word in two at once:
// 8 digits → two 4-digit lanes → four 2-digit lanes → eight digits, with
// multiply-shift division by 100 and by 10 that is exact in these ranges
// (P. Khuong, "Integer to string conversion", 2017).
func swar8(x uint64) uint64 {
	hi := x / 10000
	merged := hi | (x-hi*10000)<<32
	top := (merged * 10486 >> 20) & (0x7f<<32 | 0x7f)
	hundreds := (merged-100*top)<<16 + top
	tens := (hundreds * 103 >> 10) & (0xf<<48 | 0xf<<32 | 0xf<<16 | 0xf)
	return tens + (hundreds-10*tens)<<8
}

// AppendKey appends the Kafka record key: the recipient id in decimal, which
// keeps each recipient's events in order within one partition.
func (e *Event) AppendKey(b []byte) []byte {
	return strconv.AppendInt(b, e.Recipient, 10)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Variant labels are short and
// plain, so the fast path copies them; the rest keeps arbitrary input valid.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// wireEvent mirrors the wire format; pointers tell a missing field from a
// zero one.
type wireEvent struct {
	Seq         *int64  `json:"seq"`
	IntendedNs  *int64  `json:"intended_ns"`
	EventTimeMs *int64  `json:"event_time_ms"`
	Type        *string `json:"type"`
	Campaign    *int32  `json:"campaign"`
	Variant     *string `json:"variant"`
	Recipient   *int64  `json:"recipient"`
	Bot         *bool   `json:"bot"`
}

// ErrMissingField is wrapped by DecodeEventJSON when a required field is
// absent.
var ErrMissingField = errors.New("missing field")

// DecodeEventJSON parses one input event in the wire format. Every field is
// required; unknown fields are ignored, as DESIGN.md asks of readers.
func DecodeEventJSON(b []byte) (Event, error) {
	var w wireEvent
	if err := json.Unmarshal(b, &w); err != nil {
		return Event{}, fmt.Errorf("decode event: %w", err)
	}
	for _, f := range []struct {
		name    string
		present bool
	}{
		{"seq", w.Seq != nil},
		{"intended_ns", w.IntendedNs != nil},
		{"event_time_ms", w.EventTimeMs != nil},
		{"type", w.Type != nil},
		{"campaign", w.Campaign != nil},
		{"variant", w.Variant != nil},
		{"recipient", w.Recipient != nil},
		{"bot", w.Bot != nil},
	} {
		if !f.present {
			return Event{}, fmt.Errorf("decode event: %q: %w", f.name, ErrMissingField)
		}
	}
	t, err := ParseEventType(*w.Type)
	if err != nil {
		return Event{}, fmt.Errorf("decode event: %w", err)
	}
	e := Event{
		Seq:         *w.Seq,
		IntendedNs:  *w.IntendedNs,
		EventTimeMs: *w.EventTimeMs,
		Type:        t,
		Campaign:    *w.Campaign,
		Variant:     *w.Variant,
		Recipient:   *w.Recipient,
		Bot:         *w.Bot,
	}
	if err := e.checkRanges(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// checkRanges applies the value ranges of DESIGN.md's field table, which
// both decoders enforce so that JSON and binary accept the same events.
func (e *Event) checkRanges() error {
	switch {
	case e.Seq < 0 && !(e.Type == Flush && e.Seq == FlushSeq):
		return fmt.Errorf("decode event: seq %d: must be >= 0 (or %d for flush)", e.Seq, FlushSeq)
	case e.Campaign < 0:
		return fmt.Errorf("decode event: campaign %d: must be >= 0", e.Campaign)
	case e.Recipient < 0:
		return fmt.Errorf("decode event: recipient %d: must be >= 0", e.Recipient)
	}
	return nil
}

// Encoding is the wire encoding of input events (workload.encoding).
type Encoding uint8

// The input encodings of DESIGN.md. The zero value is JSON, the format every
// reader understands; binary is the compact fixed layout of "Binary input
// encoding (v1)", which the job tells apart by its first byte.
const (
	EncodingJSON Encoding = iota
	EncodingBinary
)

// String returns the scenario spelling ("json", "binary").
func (enc Encoding) String() string {
	switch enc {
	case EncodingJSON:
		return "json"
	case EncodingBinary:
		return "binary"
	}
	return "Encoding(" + strconv.Itoa(int(enc)) + ")"
}

// ParseEncoding maps the scenario spelling to an Encoding. The error does not
// name a field path: the caller knows which field (or flag) it parsed.
func ParseEncoding(s string) (Encoding, error) {
	switch s {
	case "json":
		return EncodingJSON, nil
	case "binary":
		return EncodingBinary, nil
	}
	return 0, fmt.Errorf("must be json or binary, got %q", s)
}

// MarshalText lets an Encoding appear in YAML and JSON as its name.
func (enc Encoding) MarshalText() ([]byte, error) {
	if enc > EncodingBinary {
		return nil, fmt.Errorf("unknown %v", enc)
	}
	return []byte(enc.String()), nil
}

// UnmarshalText parses an Encoding from its name.
func (enc *Encoding) UnmarshalText(b []byte) error {
	v, err := ParseEncoding(string(b))
	if err != nil {
		return err
	}
	*enc = v
	return nil
}

// Append appends the event's record value in encoding enc. It allocates only
// to grow b.
func (e *Event) Append(enc Encoding, b []byte) []byte {
	if enc == EncodingBinary {
		return e.AppendBinary(b)
	}
	return e.AppendJSON(b)
}

// Binary layout v1 (DESIGN.md, "Binary input encoding (v1)").
const (
	// BinaryMagic is the first byte of a binary record; a JSON record starts
	// with '{', so one byte tells the encodings apart.
	BinaryMagic = 0xAB
	// BinaryVersion is the layout version this package writes and reads.
	BinaryVersion = 0x01
	// BinaryHeaderLen is the size of a binary record without its variant.
	BinaryHeaderLen = 41
	// MaxVariantLen is the longest variant label, in bytes, that the binary
	// layout can carry (its length is one byte). New rejects longer labels.
	MaxVariantLen = 255

	flagBot = 0x01
)

// ErrBinaryFormat is wrapped by every error of DecodeEventBinary that comes
// from the layout itself (rather than from a field's value range).
var ErrBinaryFormat = errors.New("malformed binary event")

// AppendBinary appends the event in the binary layout v1: 41 + len(Variant)
// bytes, integers big-endian. It allocates only to grow b. A variant longer
// than MaxVariantLen bytes (which New never produces) is cut at the last
// whole UTF-8 sequence that fits, so the record stays well-formed.
func (e *Event) AppendBinary(b []byte) []byte {
	v := e.Variant
	if len(v) > MaxVariantLen {
		v = truncateUTF8(v, MaxVariantLen)
	}
	var flags byte
	if e.Bot {
		flags = flagBot
	}
	b = slices.Grow(b, BinaryHeaderLen+len(v))
	b = append(b, BinaryMagic, BinaryVersion, byte(e.Type), flags)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.IntendedNs))
	b = binary.BigEndian.AppendUint64(b, uint64(e.EventTimeMs))
	b = binary.BigEndian.AppendUint32(b, uint32(e.Campaign))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Recipient))
	b = append(b, byte(len(v)))
	return append(b, v...)
}

// truncateUTF8 returns the longest prefix of s of at most n bytes that does
// not end inside a UTF-8 sequence.
func truncateUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// DecodeEventBinary parses one binary v1 record. It is strict, as DESIGN.md
// asks of readers: a wrong magic or version, an unknown type, a reserved flag
// bit, a length other than 41 + the variant length, or a variant that is not
// UTF-8 is an error wrapping ErrBinaryFormat. The value ranges of the field
// table (seq >= 0 except a flush's -1, campaign and recipient >= 0) are
// checked as DecodeEventJSON checks them.
func DecodeEventBinary(b []byte) (Event, error) {
	switch {
	case len(b) == 0:
		return Event{}, fmt.Errorf("decode event: empty record: %w", ErrBinaryFormat)
	case b[0] != BinaryMagic:
		return Event{}, fmt.Errorf("decode event: magic 0x%02x, want 0x%02x: %w", b[0], BinaryMagic, ErrBinaryFormat)
	case len(b) < BinaryHeaderLen:
		return Event{}, fmt.Errorf("decode event: %d bytes, shorter than the %d-byte header: %w", len(b), BinaryHeaderLen, ErrBinaryFormat)
	case b[1] != BinaryVersion:
		return Event{}, fmt.Errorf("decode event: version %d, want %d: %w", b[1], BinaryVersion, ErrBinaryFormat)
	case b[2] > byte(Flush):
		return Event{}, fmt.Errorf("decode event: unknown type code %d: %w", b[2], ErrBinaryFormat)
	case b[3]&^flagBot != 0:
		return Event{}, fmt.Errorf("decode event: reserved flag bits set in 0x%02x: %w", b[3], ErrBinaryFormat)
	case len(b) != BinaryHeaderLen+int(b[40]):
		return Event{}, fmt.Errorf("decode event: %d bytes, but the variant length %d makes %d: %w", len(b), b[40], BinaryHeaderLen+int(b[40]), ErrBinaryFormat)
	case !utf8.Valid(b[BinaryHeaderLen:]):
		return Event{}, fmt.Errorf("decode event: variant is not valid UTF-8: %w", ErrBinaryFormat)
	}
	e := Event{
		Seq:         int64(binary.BigEndian.Uint64(b[4:])),
		IntendedNs:  int64(binary.BigEndian.Uint64(b[12:])),
		EventTimeMs: int64(binary.BigEndian.Uint64(b[20:])),
		Type:        EventType(b[2]),
		Campaign:    int32(binary.BigEndian.Uint32(b[28:])),
		Recipient:   int64(binary.BigEndian.Uint64(b[32:])),
		Variant:     string(b[BinaryHeaderLen:]),
		Bot:         b[3]&flagBot != 0,
	}
	if err := e.checkRanges(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// DecodeEvent parses a record in either encoding, chosen by its first byte
// exactly as the job chooses: BinaryMagic is binary, anything else JSON.
func DecodeEvent(b []byte) (Event, error) {
	if len(b) > 0 && b[0] == BinaryMagic {
		return DecodeEventBinary(b)
	}
	return DecodeEventJSON(b)
}

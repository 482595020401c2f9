package generators

import (
	"encoding/json"
	"errors"
	"fmt"
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
// DESIGN.md. It allocates only to grow b.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"intended_ns":`...)
	b = strconv.AppendInt(b, e.IntendedNs, 10)
	b = append(b, `,"event_time_ms":`...)
	b = strconv.AppendInt(b, e.EventTimeMs, 10)
	b = append(b, `,"type":"`...)
	b = append(b, e.Type.String()...)
	b = append(b, `","campaign":`...)
	b = strconv.AppendInt(b, int64(e.Campaign), 10)
	b = append(b, `,"variant":`...)
	b = appendJSONString(b, e.Variant)
	b = append(b, `,"recipient":`...)
	b = strconv.AppendInt(b, e.Recipient, 10)
	b = append(b, `,"bot":`...)
	b = strconv.AppendBool(b, e.Bot)
	return append(b, '}')
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
	switch {
	case e.Seq < 0 && !(t == Flush && e.Seq == FlushSeq):
		return Event{}, fmt.Errorf("decode event: seq %d: must be >= 0 (or %d for flush)", e.Seq, FlushSeq)
	case e.Campaign < 0:
		return Event{}, fmt.Errorf("decode event: campaign %d: must be >= 0", e.Campaign)
	case e.Recipient < 0:
		return Event{}, fmt.Errorf("decode event: recipient %d: must be >= 0", e.Recipient)
	}
	return e, nil
}

package telemetry

import (
	"encoding/binary"
	"math"
)

// The OTLP/HTTP protobuf encoding of ExportTraceServiceRequest, written
// by hand from opentelemetry-proto's trace.proto, common.proto and
// resource.proto (field numbers and wire types as there; otlptest decodes
// every export with the project's own generated types). Only what the
// gateway's spans use is here: no links, no dropped counts.

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

func appendLen(b []byte, field int, v []byte) []byte {
	b = appendTag(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendString writes a string field; proto3 leaves an empty one out.
func appendString(b []byte, field int, s string) []byte {
	if s == "" {
		return b
	}
	b = appendTag(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendVarint(b []byte, field int, v uint64) []byte {
	if v == 0 {
		return b
	}
	return binary.AppendUvarint(appendTag(b, field, wireVarint), v)
}

func appendFixed64(b []byte, field int, v uint64) []byte {
	return binary.LittleEndian.AppendUint64(appendTag(b, field, wireFixed64), v)
}

// appendMessage writes a nested message that enc appends to its argument.
func appendMessage(b []byte, field int, enc func([]byte) []byte) []byte {
	return appendLen(b, field, enc(nil))
}

// encodeRequest is an ExportTraceServiceRequest of one resource and one
// instrumentation scope holding spans.
func encodeRequest(resource []attr, scope string, spans []*Span) []byte {
	rs := func(b []byte) []byte {
		b = appendMessage(b, 1, func(b []byte) []byte { return appendAttrs(b, 1, resource) }) // Resource.attributes
		b = appendMessage(b, 2, func(b []byte) []byte {                                       // ScopeSpans
			b = appendMessage(b, 1, func(b []byte) []byte { return appendString(b, 1, scope) }) // InstrumentationScope.name
			for _, s := range spans {
				b = appendMessage(b, 2, s.encode)
			}
			return appendString(b, 3, SchemaURL)
		})
		return b
	}
	return appendMessage(nil, 1, rs) // ExportTraceServiceRequest.resource_spans
}

// encode appends the Span message of s (s has ended: no lock needed).
func (s *Span) encode(b []byte) []byte {
	b = appendLen(b, 1, s.traceID[:])
	b = appendLen(b, 2, s.spanID[:])
	b = appendString(b, 3, s.traceState)
	if s.parent != ([8]byte{}) {
		b = appendLen(b, 4, s.parent[:])
	}
	b = appendString(b, 5, s.name)
	b = appendVarint(b, 6, uint64(s.kind))
	b = appendFixed64(b, 7, uint64(s.start.UnixNano()))
	b = appendFixed64(b, 8, uint64(s.end.UnixNano()))
	b = appendAttrs(b, 9, s.attrs)
	for _, e := range s.events {
		b = appendMessage(b, 11, func(b []byte) []byte {
			b = appendFixed64(b, 1, uint64(e.at.UnixNano()))
			return appendString(b, 2, e.name)
		})
	}
	if s.status != statusUnset {
		b = appendMessage(b, 15, func(b []byte) []byte {
			b = appendString(b, 2, s.message)
			return appendVarint(b, 3, uint64(s.status))
		})
	}
	// flags: the W3C trace flags, and whether the parent is remote
	// (SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK, _IS_REMOTE_MASK).
	flags := uint32(0x01 | 0x100)
	if s.remoteParent {
		flags |= 0x200
	}
	b = appendTag(b, 16, wireFixed32)
	return binary.LittleEndian.AppendUint32(b, flags)
}

// appendAttrs writes each attribute as a KeyValue in field.
func appendAttrs(b []byte, field int, attrs []attr) []byte {
	for _, a := range attrs {
		b = appendMessage(b, field, func(b []byte) []byte {
			b = appendString(b, 1, a.key)
			return appendMessage(b, 2, func(b []byte) []byte { return appendValue(b, a.value) })
		})
	}
	return b
}

// appendValue writes the fields of an AnyValue. Its value is a oneof, so
// a zero value is written too (it is present).
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return appendLen(b, 1, []byte(x))
	case bool:
		n := uint64(0)
		if x {
			n = 1
		}
		return binary.AppendUvarint(appendTag(b, 2, wireVarint), n)
	case int64:
		return binary.AppendUvarint(appendTag(b, 3, wireVarint), uint64(x))
	case float64:
		return appendFixed64(b, 4, math.Float64bits(x))
	case []string:
		return appendMessage(b, 5, func(b []byte) []byte { // ArrayValue.values
			for _, s := range x {
				b = appendMessage(b, 1, func(b []byte) []byte { return appendLen(b, 1, []byte(s)) })
			}
			return b
		})
	}
	return b
}

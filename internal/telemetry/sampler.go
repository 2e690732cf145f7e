package telemetry

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Samplers, named as OTEL_TRACES_SAMPLER names them.
const (
	SamplerAlwaysOn        = "always_on"
	SamplerAlwaysOff       = "always_off"
	SamplerRatio           = "traceidratio"
	SamplerParentAlwaysOn  = "parentbased_always_on" // the default
	SamplerParentAlwaysOff = "parentbased_always_off"
	SamplerParentRatio     = "parentbased_traceidratio"
)

// sampler decides which traces are recorded, as the OpenTelemetry SDK
// specification's built-in samplers do: a root span by its own rule, a
// span under a caller's by the caller's sampled flag when parent-based.
type sampler struct {
	parentBased bool
	bound       uint64 // a trace id below it is sampled; see newSampler
}

// newSampler builds the named sampler; ratio is OTEL_TRACES_SAMPLER_ARG
// for the ratio ones. The ratio rule is the SDK's: the trace id's last
// eight bytes, shifted right once, below ratio·2⁶³ (so every service
// with the same ratio samples the same traces).
func newSampler(name string, ratio float64) (sampler, error) {
	s := sampler{}
	switch name {
	case "", SamplerParentAlwaysOn, SamplerAlwaysOn:
		s.bound = 1 << 63
	case SamplerParentAlwaysOff, SamplerAlwaysOff:
	case SamplerParentRatio, SamplerRatio:
		switch {
		case ratio >= 1:
			s.bound = 1 << 63
		case ratio > 0:
			s.bound = uint64(ratio * (1 << 63))
		}
	default:
		return s, fmt.Errorf("unknown sampler %q", name)
	}
	s.parentBased = name == "" || strings.HasPrefix(name, "parentbased_")
	return s, nil
}

func (s sampler) root(id [16]byte) bool {
	return binary.BigEndian.Uint64(id[8:])>>1 < s.bound
}

// withParent decides for a span whose parent is the caller's.
func (s sampler) withParent(parentSampled bool, id [16]byte) bool {
	if s.parentBased {
		return parentSampled
	}
	return s.root(id)
}

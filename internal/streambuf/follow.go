package streambuf

import (
	"context"
	"time"
)

// FollowConfig configures Follow; zero fields take the defaults.
type FollowConfig struct {
	// Grace is how long after the stream's deadline a reader still
	// waits for its end (DefaultGrace): the producer's last write may
	// land a little after its deadline.
	Grace time.Duration
	Clock Clock
}

// DefaultGrace is the default FollowConfig.Grace.
const DefaultGrace = 10 * time.Second

// Follow hands emit, in order, every event of the stream after number
// after: first those already stored, then the live ones as the producer
// stores them, until the stream's end, which it returns. It returns
// ErrNotFound for a stream that does not exist (or is another caller's),
// ErrProducerLost when the stream's deadline passes without an end, and
// emit's error or ctx's as they come.
func Follow(ctx context.Context, s Store, key Key, after int64, emit func(Event) error, cfg FollowConfig) (End, error) {
	clock := clockOr(cfg.Clock)
	h, err := s.Header(ctx, key)
	if err != nil {
		return End{}, err
	}
	after = max(after, -1)
	for {
		events, end, err := s.Events(ctx, key, after)
		if err != nil {
			return End{}, err
		}
		for _, ev := range events {
			if ev.Seq != after+1 {
				break // not stored yet: read again
			}
			if err := emit(ev); err != nil {
				return End{}, err
			}
			after = ev.Seq
		}
		if end != nil && after >= end.Last {
			return *end, nil
		}
		if len(events) == 0 && end == nil && cfg.Lost(h, clock.Now()) {
			// The deadline may have moved since: a job's producer sets
			// its own when it claims the job.
			if h, err = s.Header(ctx, key); err != nil {
				return End{}, err
			}
			if cfg.Lost(h, clock.Now()) {
				return End{}, ErrProducerLost
			}
		}
		if err := s.Wait(ctx, key, after); err != nil {
			return End{}, err
		}
	}
}

// Lost reports whether a stream with header h that has not ended by now
// has lost its producer: its deadline, and the grace after it, have
// passed.
func (cfg FollowConfig) Lost(h Header, now time.Time) bool {
	grace := cfg.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	return now.After(h.Deadline.Add(grace))
}

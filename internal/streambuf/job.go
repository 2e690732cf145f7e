package streambuf

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// JobHash is the hash a job is claimed by: whoever holds it was told of
// the job by the one that kept it, and a claim with any other hash, or
// for any other key, finds nothing.
func JobHash(job []byte) string {
	sum := sha256.Sum256(job)
	return hex.EncodeToString(sum[:])
}

// Claim implements Store.
func (m *Memory) Claim(ctx context.Context, key Key, hash string, deadline time.Time) (Header, error) {
	if err := ctx.Err(); err != nil {
		return Header{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.live(key)
	if err != nil {
		return Header{}, err
	}
	switch {
	case st.h.Job == nil || JobHash(st.h.Job) != hash:
		return Header{}, ErrNoJob
	case st.h.Claimed:
		return Header{}, ErrClaimed
	case !m.cfg.Clock.Now().Before(st.h.Deadline):
		return Header{}, ErrJobExpired
	}
	st.h.Claimed, st.h.Deadline = true, deadline
	h := st.h
	h.Job = slices.Clone(h.Job)
	return h, nil
}

package price

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

//go:embed prices.json
var builtin []byte

// Routes: how a call reaches the model, which can change its price.
const (
	InRegion = "in_region" // the bare model id, served in the caller's Region
	Geo      = "geo"       // a geographic cross-Region profile (us., eu., …)
	Global   = "global"    // the global. cross-Region profile
	Any      = "any"       // a row that prices every route alike
)

// ErrInvalid: a price file that cannot be used. The message names the row.
var ErrInvalid = errors.New("invalid price table")

// Row is one line of the table, as the JSON file spells it. Prices are US
// dollars per million tokens; a nil cache price means the kind is not priced.
type Row struct {
	Model      string   `json:"model"`
	Route      string   `json:"route"`
	Regions    []string `json:"regions,omitempty"` // Region groups (us, eu, apac, …); none: every group
	Input      *float64 `json:"input"`
	Output     *float64 `json:"output"`
	CacheRead  *float64 `json:"cache_read,omitempty"`
	CacheWrite *float64 `json:"cache_write,omitempty"`
	Source     string   `json:"source"`
	Date       string   `json:"date"`
	// Confirmed says the figures were checked against a second source;
	// Note says which, or which figure could not be.
	Confirmed bool   `json:"confirmed"`
	Note      string `json:"note,omitempty"`
}

// File is the shape of prices.json and of PRICES_FILE. Replace drops the
// built-in rows; otherwise the file's rows are added to them, and a row
// with the same model, route and Region groups as a built-in one takes its
// place.
type File struct {
	Unit    string `json:"unit,omitempty"`
	Replace bool   `json:"replace,omitempty"`
	Rows    []Row  `json:"rows"`
}

// Table prices models. The zero value prices nothing. It is read-only once
// built and safe for concurrent use.
type Table struct {
	rows map[string][]Row // by model id
}

// Default returns the built-in table.
func Default() *Table {
	t, err := (&Table{}).With(builtin)
	if err != nil {
		panic("price: built-in table: " + err.Error()) // a test guards this
	}
	return t
}

// With returns a table of t's rows changed by the JSON file data (see
// File). Every problem is reported, each naming its row.
func (t *Table) With(data []byte) (*Table, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if f.Unit != "" && f.Unit != "USD per million tokens" {
		return nil, fmt.Errorf("%w: unit %q: want \"USD per million tokens\"", ErrInvalid, f.Unit)
	}
	if len(f.Rows) == 0 {
		return nil, fmt.Errorf("%w: no rows", ErrInvalid)
	}
	out := &Table{rows: map[string][]Row{}}
	if !f.Replace {
		for m, rs := range t.rows {
			out.rows[m] = slices.Clone(rs)
		}
	}
	var errs []error
	seen := map[string]int{}
	for i, r := range f.Rows {
		name := fmt.Sprintf("row %d (%s %s)", i+1, r.Model, r.Route)
		if err := r.check(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		k := r.key()
		if j, dup := seen[k]; dup {
			errs = append(errs, fmt.Errorf("%s: prices the same model, route and Regions as row %d", name, j+1))
			continue
		}
		seen[k] = i
		rs := out.rows[r.Model]
		rs = slices.DeleteFunc(rs, func(o Row) bool { return o.key() == k })
		out.rows[r.Model] = append(rs, r)
	}
	for m, rs := range out.rows {
		if err := overlaps(rs); err != nil {
			errs = append(errs, fmt.Errorf("model %s: %w", m, err))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	return out, nil
}

func (r *Row) check() error {
	var errs []error
	if r.Model == "" {
		errs = append(errs, errors.New("model: required"))
	}
	switch r.Route {
	case InRegion, Geo, Global, Any:
	default:
		errs = append(errs, fmt.Errorf("route %q: want in_region, geo, global or any", r.Route))
	}
	for _, p := range []struct {
		name     string
		v        *float64
		required bool
	}{{"input", r.Input, true}, {"output", r.Output, true}, {"cache_read", r.CacheRead, false}, {"cache_write", r.CacheWrite, false}} {
		switch {
		case p.v == nil && p.required:
			errs = append(errs, fmt.Errorf("%s: required", p.name))
		case p.v != nil && (*p.v < 0 || *p.v > 10000 || math.IsNaN(*p.v)):
			errs = append(errs, fmt.Errorf("%s %v: want dollars per million tokens from 0 to 10000", p.name, *p.v))
		}
	}
	for _, g := range r.Regions {
		if g == "" || strings.ToLower(g) != g {
			errs = append(errs, fmt.Errorf("regions: %q is not a Region group (us, eu, apac, …)", g))
		}
	}
	if r.Source == "" {
		errs = append(errs, errors.New("source: required (where the figures come from)"))
	}
	if len(r.Date) != len("2006-01-02") || r.Date[4] != '-' || r.Date[7] != '-' {
		errs = append(errs, fmt.Errorf("date %q: want YYYY-MM-DD (when the source was read)", r.Date))
	}
	return errors.Join(errs...)
}

func (r *Row) key() string {
	g := slices.Clone(r.Regions)
	slices.Sort(g)
	return r.Model + "|" + r.Route + "|" + strings.Join(g, ",")
}

// overlaps refuses two rows of one model that would both price one call:
// same route, and Region groups in common (or both for every group).
func overlaps(rs []Row) error {
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			a, b := rs[i], rs[j]
			if a.Route != b.Route {
				continue
			}
			if (len(a.Regions) == 0) != (len(b.Regions) == 0) {
				continue // the one naming groups is the more specific
			}
			if len(a.Regions) == 0 || slices.ContainsFunc(a.Regions, func(g string) bool { return slices.Contains(b.Regions, g) }) {
				return fmt.Errorf("two rows for route %s and Regions %v / %v", a.Route, a.Regions, b.Regions)
			}
		}
	}
	return nil
}

// Rows returns the table's rows, for documentation and /v1/models.
func (t *Table) Rows() []Row {
	var out []Row
	for _, rs := range t.rows {
		out = append(out, rs...)
	}
	slices.SortFunc(out, func(a, b Row) int { return strings.Compare(a.key(), b.key()) })
	return out
}

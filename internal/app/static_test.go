package app

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestStaticSiteHidesDirectoryListings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":             "<h1>chat</h1>",
		"_next/static/app.js":    "console.log(1)",
		"about/index.html":       "<p>about</p>",
		"_next/static/other.css": "body{}",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := staticSite(dir)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/", 200}, {"/_next/static/app.js", 200}, {"/about/", 200},
		{"/_next/static/", 404}, {"/_next/", 404}, {"/missing", 404}, {"/../etc/passwd", 404},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("GET %s = %d, want %d", tc.path, rec.Code, tc.status)
		}
	}
}

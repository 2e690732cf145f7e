package app

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestStaticSiteHidesDirectoryListings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"index.html":             "<h1>chat</h1>",
		"_next/static/app.js":    "console.log(1)",
		"about/index.html":       "<p>about</p>",
		"_next/static/other.css": "body{}",
	})
	h := staticSite(dir)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/", 200}, {"/_next/static/app.js", 200}, {"/about/", 200},
		{"/_next/static/", 404}, {"/_next/", 404}, {"/missing", 404}, {"/../etc/passwd", 404},
	} {
		if rec := get(h, tc.path); rec.Code != tc.status {
			t.Errorf("GET %s = %d, want %d", tc.path, rec.Code, tc.status)
		}
	}
}

// While make run builds the page, / says so; once index.html appears the
// same handler serves the page, with no restart.
func TestStaticSiteSaysBuildingUntilThePageExists(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out") // does not exist yet, as on a fresh clone
	h := staticSite(dir)

	for _, p := range []string{"/", "/index.html"} {
		rec := get(h, p)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s before the build = %d, want 200", p, rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store: the real page must replace it", cc)
		}
		body := rec.Body.String()
		if !strings.Contains(body, "<h1>The chat page is building</h1>") || !strings.Contains(body, `http-equiv="refresh"`) {
			t.Errorf("body = %q", body)
		}
	}
	// Other paths are not pages: they stay 404 until they exist.
	if rec := get(h, "/_next/static/app.js"); rec.Code != http.StatusNotFound {
		t.Errorf("GET an asset before the build = %d, want 404", rec.Code)
	}

	// next build creates out/ before it writes index.html: still building.
	writeFiles(t, dir, map[string]string{"_next/static/app.js": "console.log(1)"})
	if rec := get(h, "/"); !strings.Contains(rec.Body.String(), "is building") {
		t.Fatalf("GET / with assets but no index.html = %d %q, want the building page", rec.Code, rec.Body.String())
	}

	writeFiles(t, dir, map[string]string{"index.html": "<h1>chat</h1>"})
	rec := get(h, "/")
	if rec.Code != http.StatusOK || rec.Body.String() != "<h1>chat</h1>" {
		t.Fatalf("GET / after the build = %d %q, want the page", rec.Code, rec.Body.String())
	}
	if rec := get(h, "/_next/static/app.js"); rec.Code != http.StatusOK {
		t.Errorf("GET asset after the build = %d", rec.Code)
	}

	// A rebuild empties the directory first: building again.
	if err := os.Remove(filepath.Join(dir, "index.html")); err != nil {
		t.Fatal(err)
	}
	if rec := get(h, "/"); !strings.Contains(rec.Body.String(), "is building") {
		t.Errorf("GET / during a rebuild = %d %q, want the building page", rec.Code, rec.Body.String())
	}
}

func TestStaticSiteIndexMustBeAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html/trap": "x"})
	if rec := get(staticSite(dir), "/"); !strings.Contains(rec.Body.String(), "is building") {
		t.Errorf("GET / with index.html a directory = %d %q, want the building page", rec.Code, rec.Body.String())
	}
}

// TestStaticSitePageSecurity: every answer forbids framing, and a page's
// policy allows exactly its own inline scripts, by hash, plus scripts from
// the origin; an inline script the page did not ship would be refused.
func TestStaticSitePageSecurity(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	boot := `self.__next_f=self.__next_f||[];self.__next_f.push([0])`
	data := "self.__next_f.push([1,\"a \\u003c/script> inside\"])"
	writeFiles(t, dir, map[string]string{
		"index.html": `<!DOCTYPE html><html><head><script src="/_next/static/app.js" async=""></script>` +
			`<SCRIPT>` + boot + `</SCRIPT></head><body><h1>chat</h1><script>` + data + `</script>` +
			`<script id="x">` + boot + `</script></body></html>`,
		"_next/static/app.js": "console.log(1)",
	})
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	h := staticSite(dir)
	page := get(h, "/")
	csp := page.Header().Get("Content-Security-Policy")
	wantScripts := "script-src 'self' " + hash(boot) + " " + hash(data)
	if !strings.HasSuffix(csp, wantScripts) {
		t.Errorf("page policy = %q, want it to end with %q (each inline script once, by hash)", csp, wantScripts)
	}
	for _, directive := range []string{"frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "default-src 'self'", "connect-src 'self'"} {
		if !strings.Contains(csp, directive) {
			t.Errorf("page policy lacks %s: %q", directive, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline' ;") || strings.Contains(csp, "script-src 'self' 'unsafe") {
		t.Errorf("scripts may run inline without a hash: %q", csp)
	}
	building := get(staticSite(filepath.Join(t.TempDir(), "out")), "/")
	asset := get(h, "/_next/static/app.js")
	for name, rec := range map[string]*httptest.ResponseRecorder{"page": page, "building page": building, "asset": asset} {
		if got := rec.Header().Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options = %q, want DENY", name, got)
		}
		if got := rec.Header().Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") {
			t.Errorf("%s: policy %q does not forbid framing", name, got)
		}
	}
	if got := asset.Header().Get("Content-Security-Policy"); strings.Contains(got, "sha256-") {
		t.Errorf("asset policy %q names page scripts", got)
	}
}

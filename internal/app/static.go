package app

import (
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// staticSite serves the exported chat page from dir. A directory is served
// only through its index.html: the file server's directory listings are
// never shown.
//
// `make run` starts the gateway before the page is built, so the API answers
// at once. Until dir holds an index.html, / is a short page saying the chat
// page is building, which reloads itself; dir is looked at again on each
// request, so the page appears as soon as the build ends. The placeholder is
// a 200: nothing failed, and a 5xx would log an error at every reload.
//
// Every answer carries a Content-Security-Policy that forbids framing
// (frame-ancestors 'none', and X-Frame-Options: DENY for browsers that
// predate it) and allows scripts only from this origin plus, for a page, the
// hashes of its own inline scripts (the static export inlines its bootstrap
// data), so an injected script cannot run and no other site can frame the
// page to trick a click.
func staticSite(dir string) http.Handler {
	fsys := os.DirFS(dir)
	files := http.FileServerFS(indexOnly{fsys})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := pagePath(r.URL.Path)
		if (page == "index.html") && !pageBuilt(dir) {
			setPageSecurity(w.Header(), nil)
			serveBuilding(w)
			return
		}
		var inline [][]byte
		if page != "" {
			if src, err := fs.ReadFile(fsys, page); err == nil {
				inline = inlineScripts(src)
			}
		}
		setPageSecurity(w.Header(), inline)
		files.ServeHTTP(w, r)
	})
}

// pagePath names the HTML file a request path is served from ("" when it
// is not a page).
func pagePath(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	switch {
	case p == "" || p == ".":
		return "index.html"
	case strings.HasSuffix(p, ".html"):
		return p
	case path.Ext(p) == "":
		return path.Join(p, "index.html")
	}
	return ""
}

// scriptTag matches a script element: its attributes and its text. Script
// text is raw (no entities), so the bytes matched are the bytes a browser
// hashes.
var scriptTag = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script\s*>`)

// scriptSrc finds a src attribute among a script tag's attributes.
var scriptSrc = regexp.MustCompile(`(?i)(^|\s)src\s*=`)

// inlineScripts returns the text of each inline script of an HTML page.
func inlineScripts(html []byte) [][]byte {
	var out [][]byte
	for _, m := range scriptTag.FindAllSubmatch(html, -1) {
		if scriptSrc.Match(m[1]) || len(m[2]) == 0 {
			continue
		}
		out = append(out, m[2])
	}
	return out
}

// pagePolicy is the Content-Security-Policy of the chat page without its
// script hashes. Styles may be inline: React writes style attributes, and
// a style cannot run code. Everything the page fetches is on this origin.
const pagePolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// setPageSecurity sets the page's Content-Security-Policy, allowing the
// given inline scripts by their SHA-256, and forbids framing.
func setPageSecurity(h http.Header, inline [][]byte) {
	var b strings.Builder
	b.WriteString(pagePolicy)
	b.WriteString("; script-src 'self'")
	seen := map[[sha256.Size]byte]bool{}
	for _, s := range inline {
		sum := sha256.Sum256(s)
		if seen[sum] {
			continue
		}
		seen[sum] = true
		b.WriteString(" 'sha256-")
		b.WriteString(base64.StdEncoding.EncodeToString(sum[:]))
		b.WriteString("'")
	}
	h.Set("Content-Security-Policy", b.String())
	h.Set("X-Frame-Options", "DENY")
}

// pageBuilt reports whether dir holds the exported page.
func pageBuilt(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "index.html"))
	return err == nil && st.Mode().IsRegular()
}

// buildingPage is what / shows while the chat page is being built.
const buildingPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="2">
<title>Chatbot: the chat page is building</title>
<style>
:root { color-scheme: light dark; }
body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; }
code { font-size: 0.9em; }
</style>
</head>
<body>
<main>
<h1>The chat page is building</h1>
<p>This page reloads by itself when the chat page is ready; <code>make run</code> says so too.</p>
<p>The API already answers: <code>POST /v1/chat/completions</code>.</p>
</main>
</body>
</html>
`

func serveBuilding(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(buildingPage))
}

type indexOnly struct{ fs.FS }

func (f indexOnly) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	if st.IsDir() {
		index, err := f.FS.Open(path.Join(name, "index.html"))
		if err != nil {
			file.Close()
			return nil, fs.ErrNotExist
		}
		index.Close()
	}
	return file, nil
}

package app

import (
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
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
func staticSite(dir string) http.Handler {
	files := http.FileServerFS(indexOnly{os.DirFS(dir)})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.URL.Path == "/" || r.URL.Path == "/index.html") && !pageBuilt(dir) {
			serveBuilding(w)
			return
		}
		files.ServeHTTP(w, r)
	})
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

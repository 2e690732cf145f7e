package app

import (
	"io/fs"
	"net/http"
	"os"
	"path"
)

// staticSite serves the exported chat page from dir. A directory is served
// only through its index.html: the file server's directory listings are
// never shown.
func staticSite(dir string) http.Handler {
	return http.FileServerFS(indexOnly{os.DirFS(dir)})
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

package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestZipIsReproducible(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	build := func(name string, mtime time.Time) []byte {
		t.Helper()
		if err := os.Chtimes(bin, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name)
		if err := write(out, []string{"bootstrap=" + bin}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a := build("a.zip", time.Now())
	b := build("b.zip", time.Now().Add(-48*time.Hour))
	if !bytes.Equal(a, b) {
		t.Fatal("the same input at different times gave different zips")
	}
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 ||
		!zr.File[0].Modified.Equal(epoch) {
		t.Errorf("entry = %+v, want bootstrap, mode 0755, fixed time", zr.File[0].FileHeader)
	}
	if err := write(filepath.Join(dir, "c.zip"), []string{"bad"}); err == nil {
		t.Error("accepted an entry without NAME=PATH")
	}
}

// Package docs holds the project's documentation (the Markdown files beside
// this one) and only the tests that keep it honest: every relative link in
// README.md and docs/*.md points at a file that exists, every #anchor names a
// heading of its target, every docs/*.md reference in the code resolves, and
// the README stays a short front door. It has no Go API.
package docs

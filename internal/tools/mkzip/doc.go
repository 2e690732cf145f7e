// Command mkzip writes a reproducible zip archive: fixed timestamps, fixed
// file modes and the order given, so the same inputs always give the same
// bytes (and the same hash, which Terraform uses to detect changes).
//
// Usage: mkzip OUT.zip NAME=PATH [NAME=PATH...]
package main

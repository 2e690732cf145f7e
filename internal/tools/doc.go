// Package tools holds small build-time commands of the project (see its
// subdirectories); nothing here is part of the gateway at run time.
package tools

//go:build !linux

package main

// releaseStartupPages is Linux's (see pages_linux.go); elsewhere the
// kernel's own reclaim is left to it.
func releaseStartupPages() (int64, error) { return 0, nil }

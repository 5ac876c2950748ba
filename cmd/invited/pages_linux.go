package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// releaseStartupPages tells the kernel that the pages of the executable
// the process has mapped so far are not needed any more, and returns how
// many bytes of them were resident.
//
// Start-up (every package's initialisation, the migrations, the wiring)
// runs code and reads tables that serving never touches again, and the
// kernel maps a file's pages 64 KiB around each one touched, so a started
// server holds some 24 MiB of its own binary, most of which it will not
// read again (BENCHMARKS.md, target 5). madvise(MADV_DONTNEED) drops them
// from the process's page tables; they stay in the page cache, so the
// pages serving does touch are mapped back from memory, not read from
// disk. Only mappings of the executable that are not writable and hold no
// private copy of a page (Anonymous: 0 kB in smaps) are released: for
// those the file's contents are exactly what the process sees.
func releaseStartupPages() (int64, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	var released int64
	for _, m := range executableMappings(smaps, exe) {
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_DONTNEED); errno != 0 {
			return released, fmt.Errorf("madvise: %w", errno)
		}
		released += m.rss
	}
	return released, nil
}

// mapping is one read-only mapping of the executable in /proc/self/smaps.
type mapping struct {
	start, end uintptr
	rss        int64
}

// executableMappings reads smaps for the mappings of path that are not
// writable and have no anonymous (copied-on-write) pages.
func executableMappings(smaps []byte, path string) []mapping {
	var out []mapping
	var cur *mapping
	var anon int64
	flush := func() {
		if cur != nil && anon == 0 {
			out = append(out, *cur)
		}
		cur, anon = nil, 0
	}
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if name, ok := strings.CutSuffix(f[0], ":"); ok { // a field of the current mapping
			if cur == nil || len(f) < 2 {
				continue
			}
			kib, _ := strconv.ParseInt(f[1], 10, 64)
			switch name {
			case "Rss":
				cur.rss = kib << 10
			case "Anonymous":
				anon = kib
			}
			continue
		}
		flush() // a new mapping's header: start-end perms offset dev inode [path]
		if len(f) < 6 || strings.Join(f[5:], " ") != path || strings.Contains(f[1], "w") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		cur = &mapping{start: uintptr(start), end: uintptr(end)}
	}
	flush()
	return out
}

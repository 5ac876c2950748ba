package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExecutableMappingsAreTheReadOnlyUncopiedOnes(t *testing.T) {
	t.Parallel()
	smaps := `00400000-01239000 r-xp 00000000 fd:01 1234                               /srv/my invited
Size:              14564 kB
Rss:               11664 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me dw
01239000-02c04000 r--p 00e39000 fd:01 1234                               /srv/my invited
Rss:               15052 kB
Anonymous:             4 kB
VmFlags:
02c04000-02d32000 rw-p 02804000 fd:01 1234                               /srv/my invited
Rss:                 696 kB
Anonymous:           120 kB
02d32000-04d80000 rw-p 00000000 00:00 0
Rss:               52460 kB
Anonymous:         52460 kB
7f0000000000-7f0000021000 r-xp 00000000 fd:01 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                 912 kB
Anonymous:             0 kB
`
	got := executableMappings([]byte(smaps), "/srv/my invited")
	require.Equal(t, []mapping{{start: 0x400000, end: 0x1239000, rss: 11664 << 10}}, got,
		"the code only: the read-only data has a copied page, the data is writable, the rest is not the binary")
}

// Releasing the pages of a running binary must leave it running: this
// test binary goes on to run the assertions below with its pages dropped.
func TestReleaseStartupPages(t *testing.T) {
	t.Parallel()
	released, err := releaseStartupPages()
	require.NoError(t, err)
	require.Positive(t, released)
	released, err = releaseStartupPages()
	require.NoError(t, err)
	require.Positive(t, released, "what was used since is mapped back in from the page cache")
}

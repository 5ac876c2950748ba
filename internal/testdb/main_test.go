package testdb

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv("TESTDB_CHILD") == "1" {
		// The child process of TestUnreachablePostgres runs just this test.
		testing.Main(func(string, string) (bool, error) { return true, nil },
			[]testing.InternalTest{{Name: "ChildNeedsPostgres", F: childNeedsPostgres}}, nil, nil)
	}
	os.Exit(Main(m))
}

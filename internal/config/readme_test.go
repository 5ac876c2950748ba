package config

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// The README's configuration table is the operators' reference: it must
// list every variable with the default the code uses.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, v := range Vars {
		def := ""
		if v.Default != "" {
			def = "`" + regexp.QuoteMeta(v.Default) + "`"
		}
		row := regexp.MustCompile(`(?m)^\| ` + "`" + v.Name + "`" + ` \|\s*` + def + `\s*\|`)
		require.True(t, row.Match(readme), "README.md needs a configuration table row for %s with default %q", v.Name, v.Default)
	}
}

// The development default listens on this machine only; the container
// image, reached through its published port, must listen on every
// interface, and says so.
func TestContainerImageListensOnEveryInterface(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", c.HTTPAddr)
	dockerfile, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^ENV HTTP_ADDR=:8080\b`, string(dockerfile))
}

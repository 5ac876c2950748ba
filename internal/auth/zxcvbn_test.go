package auth

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/frequency"
)

// The word lists are dropped at start-up; the estimate must still find
// words in the dictionaries built from them, or every password would look
// strong.
func TestStrengthEstimateAfterListsDropped(t *testing.T) {
	t.Parallel()
	require.Nil(t, frequency.FrequencyLists)

	found := map[string]bool{}
	for _, m := range zxcvbn.PasswordStrength("dragonmonkeyjordan", nil).Sequence {
		if m.Pattern == "dictionary" {
			found[m.DictionaryName] = true
		}
	}
	require.True(t, found["passwords"], "common passwords are still recognised: %v", found)
	require.Less(t, zxcvbn.PasswordStrength("password1234", nil).Score, minStrengthScore)
}

package packedcache

import (
	"testing"

	"claimbench/sync_engine/readstates/cachetest"
)

func TestPackedCacheKeepsTheContract(t *testing.T) { cachetest.Run(t, New) }

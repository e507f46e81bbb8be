package main

import (
	"testing"

	"claimbench/sync_engine/go_read_states/cachetest"
)

func TestPackedCacheKeepsTheContract(t *testing.T) { cachetest.Run(t, newPackedCache) }

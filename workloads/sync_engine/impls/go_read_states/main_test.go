package main

import (
	"testing"

	"claimbench/sync_engine/go_read_states/cachetest"
)

func TestMain(m *testing.M) { cachetest.TestMain(m, main) }

func TestProgram(t *testing.T) { cachetest.RunProgram(t) }

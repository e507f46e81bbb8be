package main

import (
	"testing"

	"claimbench/sync_engine/readstates/cachetest"
)

func TestMain(m *testing.M) { cachetest.TestMain(m, main) }

func TestProgram(t *testing.T) { cachetest.RunProgram(t, cachetest.TestBinary) }

module claimbench/sync_engine/go_discord

// The language version this needs, and the toolchain we measure (setup/toolchains.txt pins the same).
go 1.26.0

toolchain go1.26.8

// Everything but the cache (frames, table, server, command line, the cache contract's tests) is the go
// port's package readstates, so go_discord and the go port's `serve` differ in their cache alone.
require claimbench/sync_engine v0.0.0

require golang.org/x/sys v0.50.0 // indirect

replace claimbench/sync_engine => ../go

module claimbench/sync_engine

// The language version this needs, and the toolchain we measure (setup/toolchains.txt pins the same;
// ./claimbench setup installs it from the Go module proxy when the machine's go is older).
go 1.26.0

toolchain go1.26.8

require (
	github.com/zeebo/xxh3 v1.1.0
	golang.org/x/sys v0.50.0
)

require github.com/klauspost/cpuid/v2 v2.2.10 // indirect

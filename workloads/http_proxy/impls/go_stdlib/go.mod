module claimbench/http_proxy_stdlib

// The language version this needs, and the toolchain we measure (setup/toolchains.txt pins the same;
// ./claimbench setup installs it from the Go module proxy when the machine's go is older).
go 1.26.0

toolchain go1.26.8

// The command line, the ready mark and the shared end-to-end checks come from the go port beside this one.
require claimbench/http_proxy v0.0.0

require golang.org/x/sys v0.50.0 // indirect

replace claimbench/http_proxy => ../go

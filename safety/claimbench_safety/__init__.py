"""The bug corpus (safety/cases/) checked by compilers, hardened libraries and sanitizers.

The central decision: every tool is judged by what a program's build and run *do* (rustc's error codes from
--error-format=json, compiler warning flags, a sanitizer's report, an assertion's abort, a panic's exit, a
timeout), never by snapshots of message text, which change between releases. Each case declares what it
expects of each tool in its case.toml; the runner turns the outcomes into a detection matrix (case x tool:
rejected, warned, caught, crashed, hung, silent, unavailable) and says which expectation changed.
"""

"""The http_proxy workload's Python port: a strict HTTP/1.1 reverse proxy on asyncio streams and uvloop."""

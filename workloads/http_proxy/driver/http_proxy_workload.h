// The harness side of the http_proxy workload (../SPEC.md): its cases per profile, the proxy's arguments
// (with the origins the driver starts behind it), and the three ways a case drives a proxy: a sweep
// (closed-loop maximum, then open loop at 50, 80 and 95% of it), open loop at a fixed rate (by default 80%
// of nginx's maximum measured earlier in the same run), and many idle keep-alive connections.
#pragma once

#include <memory>

#include "claimbench/workload.h"

namespace claimbench::http_proxy_workload {

std::unique_ptr<Workload> MakeHttpProxyWorkload();

}  // namespace claimbench::http_proxy_workload

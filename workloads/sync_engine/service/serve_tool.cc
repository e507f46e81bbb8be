// sync_engine_serve: ServeMain alone, for testing the service before `sync_engine_cpp serve` calls it.
#include <string>
#include <vector>

#include "serve_main.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args.front() == "serve") args.erase(args.begin());
  return claimbench::sync_service::ServeMain(args);
}

// A child program for process_test: runs the actions given on its command line, in order, so that each test
// composes exactly the behaviour it needs (allocate, mark, crash, hang, fork a grandchild, ...). Not part of
// the library. Usage: test_child ACTION [ARG]... (see Usage()).
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

// Under AddressSanitizer, let a raised SIGSEGV kill the process as it would without the sanitizer.
extern "C" const char* __asan_default_options() { return "handle_segv=0"; }

namespace {

int Usage() {
  std::fputs(
      "usage: test_child ACTION [ARG]...\n"
      "  alloc MIB            map and populate MIB MiB, kept until exit\n"
      "  sleep MS             sleep MS milliseconds\n"
      "  busy MS              burn MS milliseconds of CPU time\n"
      "  exit CODE            exit with CODE now\n"
      "  crash                die of SIGSEGV\n"
      "  hang                 sleep forever\n"
      "  ignore_term          ignore SIGTERM from now on\n"
      "  fork_hang FILE       fork a grandchild that hangs; write its pid to FILE\n"
      "  spawn_alloc MIB MS   fork a grandchild that allocates MIB MiB, sleeps MS ms and exits\n"
      "  spawn_busy MS MARK   fork a grandchild that burns MS ms of CPU, writes MARK (unless '-') to\n"
      "                       $CLAIMBENCH_MARK_FD, sleeps 0.5 s and exits\n"
      "  wait_children        wait for every grandchild\n"
      "  mark NAME            write NAME and a newline to $CLAIMBENCH_MARK_FD\n"
      "  stamped_mark NAME OFFSET_MS SLEEP_MS  read the clock, shift it, sleep, write 'NAME <ns>'\n"
      "  raw TEXT             write TEXT as it is to $CLAIMBENCH_MARK_FD\n"
      "  stdout TEXT          print TEXT and a newline to stdout (stderr TEXT likewise)\n"
      "  env NAME             print NAME=value, or NAME unset, to stdout\n"
      "  fds                  print the open fd numbers to stdout\n"
      "  affinity             print the CPUs this process may run on to stdout\n",
      stderr);
  return 2;
}

void SleepMs(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// The kernel faults the pages in (MAP_POPULATE on a private writable mapping allocates real pages), rather
// than stores from this program: under ThreadSanitizer every instrumented store would also touch shadow
// memory and roughly double the resident set, and the tests want exactly MIB more.
void Allocate(long mib) {
  size_t bytes = static_cast<size_t>(mib) << 20;
  if (bytes == 0) return;
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (memory == MAP_FAILED) {
    std::perror("mmap");
    std::exit(1);
  }
}

void BurnCpu(long ms) {
  timespec start, now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
  volatile unsigned long sink = 0;
  do {
    for (int i = 0; i < 100000; ++i) sink = sink + i;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1'000'000 < ms);
}

[[noreturn]] void Hang() {
  for (;;) pause();
}

void WriteMarkFd(std::string_view text) {
  const char* fd_text = std::getenv("CLAIMBENCH_MARK_FD");
  if (fd_text == nullptr) return;
  int fd = std::atoi(fd_text);
  while (!text.empty()) {
    ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::perror("write to CLAIMBENCH_MARK_FD");
      std::exit(1);
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  for (int i = 1; i < argc; ++i) {
    std::string action = argv[i];
    auto arg = [&](int k) -> const char* {
      if (i + k >= argc) std::exit(Usage());
      return argv[i + k];
    };
    if (action == "alloc") {
      Allocate(std::atol(arg(1)));
      i += 1;
    } else if (action == "sleep") {
      SleepMs(std::atol(arg(1)));
      i += 1;
    } else if (action == "busy") {
      BurnCpu(std::atol(arg(1)));
      i += 1;
    } else if (action == "exit") {
      std::fflush(nullptr);
      std::exit(std::atoi(arg(1)));
    } else if (action == "crash") {
      std::fflush(nullptr);
      signal(SIGSEGV, SIG_DFL);
      raise(SIGSEGV);
    } else if (action == "hang") {
      std::fflush(nullptr);
      Hang();
    } else if (action == "ignore_term") {
      signal(SIGTERM, SIG_IGN);
    } else if (action == "fork_hang") {
      const char* pid_file = arg(1);
      i += 1;
      std::fflush(nullptr);
      pid_t pid = fork();
      if (pid == 0) Hang();
      FILE* out = std::fopen(pid_file, "w");
      if (pid < 0 || out == nullptr) return 1;
      std::fprintf(out, "%d\n", pid);
      std::fclose(out);
    } else if (action == "spawn_alloc") {
      long mib = std::atol(arg(1)), ms = std::atol(arg(2));
      i += 2;
      std::fflush(nullptr);
      pid_t pid = fork();
      if (pid < 0) return 1;
      if (pid == 0) {
        Allocate(mib);
        SleepMs(ms);
        _exit(0);
      }
    } else if (action == "spawn_busy") {
      long ms = std::atol(arg(1));
      std::string mark = arg(2);
      i += 2;
      std::fflush(nullptr);
      pid_t pid = fork();
      if (pid < 0) return 1;
      if (pid == 0) {
        BurnCpu(ms);
        if (mark != "-") WriteMarkFd(mark + "\n");
        SleepMs(500);  // alive when the harness reads the tree's CPU for that mark
        _exit(0);
      }
    } else if (action == "wait_children") {
      while (wait(nullptr) > 0 || errno == EINTR) {
      }
    } else if (action == "mark") {
      WriteMarkFd(std::string(arg(1)) + "\n");
      i += 1;
    } else if (action == "stamped_mark") {
      // Reads CLOCK_MONOTONIC, shifts it by OFFSET_MS, sleeps SLEEP_MS, then writes "NAME <ns>".
      timespec now{};
      clock_gettime(CLOCK_MONOTONIC, &now);
      long long ns = now.tv_sec * 1000000000LL + now.tv_nsec + std::atoll(arg(2)) * 1000000LL;
      SleepMs(std::atoi(arg(3)));
      WriteMarkFd(std::string(arg(1)) + " " + std::to_string(ns) + "\n");
      i += 3;
    } else if (action == "raw") {
      WriteMarkFd(arg(1));
      i += 1;
    } else if (action == "stdout" || action == "stderr") {
      std::fprintf(action == "stdout" ? stdout : stderr, "%s\n", arg(1));
      std::fflush(stdout);  // keep the order of the two streams when they share a file
      i += 1;
    } else if (action == "env") {
      const char* value = std::getenv(arg(1));
      if (value != nullptr) std::printf("%s=%s\n", arg(1), value);
      else std::printf("%s unset\n", arg(1));
      i += 1;
    } else if (action == "fds") {
      DIR* dir = opendir("/proc/self/fd");
      if (dir == nullptr) return 1;
      std::string listed;
      while (dirent* entry = readdir(dir)) {
        if (entry->d_name[0] == '.' || std::atoi(entry->d_name) == dirfd(dir)) continue;
        listed += std::string(listed.empty() ? "" : " ") + entry->d_name;
      }
      closedir(dir);
      std::printf("%s\n", listed.c_str());
    } else if (action == "affinity") {
      cpu_set_t set;
      if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
      std::string listed;
      for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (CPU_ISSET(cpu, &set)) listed += (listed.empty() ? "" : " ") + std::to_string(cpu);
      }
      std::printf("%s\n", listed.c_str());
    } else {
      std::fprintf(stderr, "test_child: unknown action '%s'\n", action.c_str());
      return Usage();
    }
  }
  return 0;
}

// Bug: a handle with a non-atomic reference count (what Rust's Rc is) copied and destroyed in two
// threads at once: a data race on the count (lost updates free the object early, or never). A real
// handle would delete the object at zero; this one only marks it, so that what the run does never depends
// on the interleaving: the race on the count is the bug a tool must see.
#include <cstdio>
#include <thread>

struct Shared {
  long count = 1;  // plain, not atomic
  long value = 7;
  bool released = false;
};

class Handle {
 public:
  explicit Handle(Shared* shared) : shared_(shared) {}
  // noinline: the count really changes on every copy (inlined, ++count then --count would fold away)
  __attribute__((noinline)) Handle(const Handle& other) : shared_(other.shared_) { ++shared_->count; }
  Handle& operator=(const Handle&) = delete;
  __attribute__((noinline)) ~Handle() {
    if (--shared_->count == 0) shared_->released = true;  // `delete shared_;` in a real handle
  }
  long value() const { return shared_->value; }

 private:
  Shared* shared_;
};

int main() {
  static Shared shared;
  Handle root(&shared);
  auto churn = [&root] {
    long sum = 0;
    for (int i = 0; i < 10000; ++i) {
      Handle copy(root);
      sum += copy.value();
    }
    return sum;
  };
  std::thread a(churn), b(churn);
  a.join();
  b.join();
  std::printf("value = %ld, released early: %d\n", root.value(), shared.released);
}

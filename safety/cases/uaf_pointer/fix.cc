// Fix: the object is owned by a std::unique_ptr and read while it is alive.
#include <cstdio>
#include <memory>

struct Account {
  int balance;
};

int main() {
  auto account = std::make_unique<Account>(Account{42});
  std::printf("balance = %d\n", account->balance);
}

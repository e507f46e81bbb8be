// Bug: a heap object is read through a raw pointer after it was deleted (heap use after free).
#include <cstdio>

struct Account {
  int balance;
};

static Account* volatile keep;  // an alias the optimizer cannot see through

int main() {
  Account* account = new Account{42};
  keep = account;
  delete account;
  std::printf("balance = %d\n", keep->balance);
}

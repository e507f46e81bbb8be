// Fix: check for nullptr before using the result.
#include <cstdio>
#include <vector>

struct Node {
  unsigned id;
  unsigned weight;
};

__attribute__((noinline)) static const Node* Find(const std::vector<Node>& nodes, unsigned id) {
  for (const Node& node : nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

int main() {
  std::vector<Node> nodes = {{1, 10}};
  if (const Node* node = Find(nodes, 7)) {
    std::printf("weight = %u\n", node->weight);
  } else {
    std::printf("no node 7\n");
  }
}

// Bug: the result of a lookup that can find nothing (nullptr) is dereferenced without a check.
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
  const Node* node = Find(nodes, 7);
  std::printf("weight = %u\n", node->weight);
}

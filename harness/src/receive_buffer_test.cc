// The load generator's receive buffer (private to the harness): growth, partial reads and consumption.
#include "receive_buffer.h"

#include <gtest/gtest.h>

#include <cstring>

namespace claimbench::loadgen {
namespace {

TEST(ReceiveBuffer, GrowsKeepsItsBytesAndConsumesFromTheFront) {
  detail::ReceiveBuffer buffer;
  EXPECT_TRUE(buffer.empty());
  buffer.Append("hello ");
  char* at = buffer.Reserve(100'000);
  EXPECT_GE(buffer.room(), 100'000u);
  std::memcpy(at, "world", 5);
  buffer.Commit(5);
  EXPECT_EQ(buffer.view(), "hello world");
  buffer.Consume(6);
  EXPECT_EQ(buffer.view(), "world");
  buffer.Consume(5);
  EXPECT_TRUE(buffer.empty());
  buffer.Append("again");
  EXPECT_EQ(buffer.view(), "again");
  buffer.clear();
  EXPECT_EQ(buffer.size(), 0u);
}

}  // namespace
}  // namespace claimbench::loadgen

// The HTTP/1.1 protocol of the load generator: requests as the origin expects them, and responses
// accepted only when complete, correctly framed and exactly the right ones.
#include "claimbench/loadgen_http.h"

#include <string>

#include <gtest/gtest.h>

namespace claimbench::loadgen {
namespace {

using Status = ParseOutcome::Status;

std::unique_ptr<Protocol> Make(size_t bytes, bool chunked = false) {
  HttpRequestShape shape;
  shape.host_header = "example";
  shape.response_bytes = bytes;
  shape.chunked = chunked;
  return MakeHttpProtocolFactory(shape)();
}

std::string Response(uint64_t index, const std::string& body, const std::string& status = "200 OK") {
  return "HTTP/1.1 " + status + "\r\nX-Claimbench-Index: " + std::to_string(index) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(HttpProtocolTest, WritesTheOriginsRequest) {
  std::string out = "x";
  Make(1024, true)->WriteRequest(42, out);
  EXPECT_EQ(out, "xGET /r/42?size=1024&chunked=1 HTTP/1.1\r\nHost: example\r\n\r\n");
}

TEST(HttpProtocolTest, AcceptsTheRightContentLengthResponseAndLeavesTheNext) {
  auto protocol = Make(30);
  std::string bytes = Response(7, ExpectedHttpBody(7, 30));
  std::string buffered = bytes + "HTTP/1.1 200";
  ParseOutcome outcome = protocol->ParseResponse(buffered, 7);
  ASSERT_EQ(outcome.status, Status::kComplete) << outcome.error;
  EXPECT_TRUE(outcome.valid) << outcome.error;
  EXPECT_EQ(outcome.consumed, bytes.size());
}

TEST(HttpProtocolTest, IncompleteUntilTheLastByte) {
  auto protocol = Make(30);
  std::string bytes = Response(7, ExpectedHttpBody(7, 30));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_EQ(protocol->ParseResponse(std::string_view(bytes).substr(0, cut), 7).status, Status::kIncomplete) << cut;
  }
}

TEST(HttpProtocolTest, AcceptsChunkedResponses) {
  auto protocol = Make(10, true);
  std::string body = ExpectedHttpBody(3, 10);
  std::string bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Claimbench-Index: 3\r\n\r\n4\r\n" +
                      body.substr(0, 4) + "\r\n6;x=y\r\n" + body.substr(4) + "\r\n0\r\n\r\n";
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_EQ(protocol->ParseResponse(std::string_view(bytes).substr(0, cut), 3).status, Status::kIncomplete) << cut;
  }
  ParseOutcome outcome = protocol->ParseResponse(bytes, 3);
  ASSERT_EQ(outcome.status, Status::kComplete) << outcome.error;
  EXPECT_TRUE(outcome.valid) << outcome.error;
  EXPECT_EQ(outcome.consumed, bytes.size());
}

TEST(HttpProtocolTest, AnotherRequestsResponseIsInvalid) {
  auto protocol = Make(30);
  ParseOutcome outcome = protocol->ParseResponse(Response(8, ExpectedHttpBody(8, 30)), 7);
  ASSERT_EQ(outcome.status, Status::kComplete);
  EXPECT_FALSE(outcome.valid);
  EXPECT_NE(outcome.error.find("X-Claimbench-Index"), std::string::npos);
}

TEST(HttpProtocolTest, WrongBodyOrStatusIsInvalid) {
  auto protocol = Make(30);
  std::string body = ExpectedHttpBody(7, 30);
  body[10] = '!';
  EXPECT_FALSE(protocol->ParseResponse(Response(7, body), 7).valid);
  EXPECT_FALSE(protocol->ParseResponse(Response(7, ExpectedHttpBody(7, 29)), 7).valid);
  ParseOutcome error = protocol->ParseResponse(Response(7, ExpectedHttpBody(7, 30), "502 Bad Gateway"), 7);
  ASSERT_EQ(error.status, Status::kComplete);
  EXPECT_FALSE(error.valid);
  EXPECT_NE(error.error.find("502"), std::string::npos);
}

TEST(HttpProtocolTest, UnframedOrAmbiguousResponsesAreMalformed) {
  auto protocol = Make(3);
  EXPECT_EQ(protocol->ParseResponse("HTTP/1.1 200 OK\r\nX-Claimbench-Index: 1\r\n\r\nbcd", 1).status, Status::kMalformed);
  EXPECT_EQ(protocol->ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 1).status,
            Status::kMalformed);
  EXPECT_EQ(protocol->ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", 1).status,
            Status::kMalformed);
  EXPECT_EQ(protocol->ParseResponse("SSH-2.0-OpenSSH\r\n", 1).status, Status::kMalformed);
  EXPECT_EQ(protocol->ParseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 1).status,
            Status::kMalformed);
}

}  // namespace
}  // namespace claimbench::loadgen

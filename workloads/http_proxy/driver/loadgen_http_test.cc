// The HTTP/1.1 protocol of the load generator: requests as the origin expects them, and responses
// accepted only when complete, correctly framed and exactly the right ones.
#include "loadgen_http.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

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

std::string Chunked(uint64_t index, const std::string& body, size_t chunk_bytes,
                    const std::string& trailer = "") {
  std::string bytes =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Claimbench-Index: " + std::to_string(index) +
      "\r\n\r\n";
  for (size_t at = 0; at < body.size(); at += chunk_bytes) {
    const std::string chunk = body.substr(at, chunk_bytes);
    bytes += fmt::format("{:X}\r\n", chunk.size()) + chunk + "\r\n";
  }
  return bytes + "0\r\n" + trailer + "\r\n";
}

// Feeds `bytes` to one protocol instance as the load generator does: the first `split` bytes, then all of
// them (the same bytes, extended). Returns the outcome of the last call; the first must be kIncomplete.
ParseOutcome ParseInTwoReads(Protocol& protocol, std::string_view bytes, size_t split, uint64_t index) {
  const ParseOutcome first = protocol.ParseResponse(bytes.substr(0, split), index);
  EXPECT_EQ(first.status, Status::kIncomplete) << "split at " << split << ": " << first.error;
  return protocol.ParseResponse(bytes, index);
}

TEST(HttpProtocolTest, ASplitAtEveryByteBoundaryGivesTheSameAnswer) {
  for (bool chunked : {false, true}) {
    const std::string body = ExpectedHttpBody(11, 40);
    const std::string bytes = chunked ? Chunked(11, body, 16, "X-Trailer: 1\r\n") : Response(11, body);
    auto protocol = Make(40, chunked);
    for (size_t split = 0; split < bytes.size(); ++split) {
      const ParseOutcome outcome = ParseInTwoReads(*protocol, bytes, split, 11);
      ASSERT_EQ(outcome.status, Status::kComplete)
          << "chunked " << chunked << " split " << split << ": " << outcome.error;
      EXPECT_TRUE(outcome.valid) << "chunked " << chunked << " split " << split << ": " << outcome.error;
      EXPECT_EQ(outcome.consumed, bytes.size());
    }
  }
}

TEST(HttpProtocolTest, OneByteAtATimeThenComplete) {
  for (bool chunked : {false, true}) {
    const std::string bytes =
        chunked ? Chunked(5, ExpectedHttpBody(5, 33), 7) : Response(5, ExpectedHttpBody(5, 33));
    auto protocol = Make(33, chunked);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      ASSERT_EQ(protocol->ParseResponse(std::string_view(bytes).substr(0, cut), 5).status,
                Status::kIncomplete)
          << cut;
    }
    const ParseOutcome outcome = protocol->ParseResponse(bytes + "HTTP/1.1", 5);
    ASSERT_EQ(outcome.status, Status::kComplete) << outcome.error;
    EXPECT_TRUE(outcome.valid) << outcome.error;
    EXPECT_EQ(outcome.consumed, bytes.size());
  }
}

TEST(HttpProtocolTest, EveryCorruptedBodyByteIsCaughtHoweverTheReadsFall) {
  for (bool chunked : {false, true}) {
    const std::string body = ExpectedHttpBody(9, 24);
    auto protocol = Make(24, chunked);
    for (size_t wrong = 0; wrong < body.size(); ++wrong) {
      std::string bad_body = body;
      bad_body[wrong] = static_cast<char>(bad_body[wrong] ^ 0x01);
      const std::string bytes = chunked ? Chunked(9, bad_body, 5) : Response(9, bad_body);
      for (size_t split = 0; split < bytes.size(); ++split) {
        const ParseOutcome outcome = ParseInTwoReads(*protocol, bytes, split, 9);
        ASSERT_EQ(outcome.status, Status::kComplete) << outcome.error;
        EXPECT_FALSE(outcome.valid) << "chunked " << chunked << " byte " << wrong << " split " << split;
        EXPECT_NE(outcome.error.find("body"), std::string::npos) << outcome.error;
        EXPECT_EQ(outcome.consumed, bytes.size());
      }
    }
  }
}

TEST(HttpProtocolTest, PipelinedResponsesParseOneAfterAnother) {
  for (bool chunked : {false, true}) {
    auto protocol = Make(20, chunked);
    std::string stream;
    std::vector<size_t> sizes;
    for (uint64_t index = 100; index < 104; ++index) {
      const std::string body = ExpectedHttpBody(index, 20);
      const std::string one = chunked ? Chunked(index, body, 8) : Response(index, body);
      stream += one;
      sizes.push_back(one.size());
    }
    std::string_view rest = stream;
    for (uint64_t index = 100; index < 104; ++index) {
      const ParseOutcome outcome = protocol->ParseResponse(rest, index);
      ASSERT_EQ(outcome.status, Status::kComplete) << outcome.error;
      EXPECT_TRUE(outcome.valid) << index << ": " << outcome.error;
      EXPECT_EQ(outcome.consumed, sizes[index - 100]);
      rest.remove_prefix(outcome.consumed);
    }
    EXPECT_TRUE(rest.empty());
  }
}

TEST(HttpProtocolTest, ChunkedBodiesOfTheWrongLengthOrWithBadFramingFail) {
  auto protocol = Make(10, true);
  const std::string body = ExpectedHttpBody(3, 10);
  ParseOutcome short_body = protocol->ParseResponse(Chunked(3, body.substr(0, 9), 4), 3);
  ASSERT_EQ(short_body.status, Status::kComplete);
  EXPECT_FALSE(short_body.valid);
  ParseOutcome long_body = protocol->ParseResponse(Chunked(3, body + "n", 4), 3);
  ASSERT_EQ(long_body.status, Status::kComplete);
  EXPECT_FALSE(long_body.valid);
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Claimbench-Index: 3\r\n\r\n";
  EXPECT_EQ(protocol->ParseResponse(head + "a\r\n" + body + "XY", 3).status,
            Status::kMalformed);  // no CRLF after data
  EXPECT_EQ(protocol->ParseResponse(head + "a\n" + body + "\r\n", 3).status, Status::kMalformed);  // bare LF
  EXPECT_EQ(protocol->ParseResponse(head + " a\r\n", 3).status, Status::kMalformed);
  EXPECT_EQ(protocol->ParseResponse(head + "-1\r\n", 3).status, Status::kMalformed);
  EXPECT_EQ(protocol->ParseResponse(head + "10000000000000000\r\n", 3).status,
            Status::kMalformed);  // > 64 bits
  EXPECT_EQ(protocol->ParseResponse(head + std::string(65, '0'), 3).status, Status::kMalformed);
  EXPECT_EQ(protocol->ParseResponse(head + "A;name=value\r\n" + body + "\r\n0\r\n\r\n", 3).valid, true);
}

TEST(HttpProtocolTest, HeaderNamesAreCaseInsensitiveAndEveryIndexFieldMustMatch) {
  auto protocol = Make(4);
  const std::string body = ExpectedHttpBody(2, 4);
  ParseOutcome lower = protocol->ParseResponse(
      "HTTP/1.1 200 OK\r\ncontent-LENGTH: 4\r\nx-claimbench-index: 2\r\n\r\n" + body, 2);
  EXPECT_TRUE(lower.valid) << lower.error;
  ParseOutcome two = protocol->ParseResponse(
      "HTTP/1.1 200 OK\r\nX-Claimbench-Index: 3\r\nContent-Length: 4\r\nX-Claimbench-Index: 2\r\n\r\n" + body,
      2);
  ASSERT_EQ(two.status, Status::kComplete);
  EXPECT_FALSE(two.valid);
  ParseOutcome none = protocol->ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n" + body, 2);
  ASSERT_EQ(none.status, Status::kComplete);
  EXPECT_FALSE(none.valid);
}

TEST(HttpProtocolTest, BrokenHeadsAreMalformed) {
  auto protocol = Make(3);
  const std::string broken[] = {
      "HTTP/1.1 200 OK\nContent-Length: 3\r\n\r\nbcd",                 // bare LF after the status line
      "HTTP/1.1 200 OK\r\nContent-Length: 3\n\r\nbcd",                 // bare LF after a field
      "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 3\r\n\r\nbcd",  // CR inside a field
      "HTTP/1.1 200 OK\r\n Content-Length: 3\r\n\r\nbcd",              // obs-fold / leading space
      "HTTP/1.1 200 OK\r\nContent-Length 3\r\n\r\nbcd",                // no colon
      "HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nbcd",              // not a number
      "HTTP/2 200\r\n\r\n",                                            // not HTTP/1.x
      "HTTP/1.1 200 OK\r\nX-A: " + std::string(17 * 1024, 'a'),        // no end of head in 16 KiB
  };
  for (const std::string& bytes : broken) {
    EXPECT_EQ(protocol->ParseResponse(bytes, 1).status, Status::kMalformed) << bytes.substr(0, 60);
  }
}

TEST(HttpProtocolTest, ALongerContentLengthIsReadToItsEndAndInvalid) {
  auto protocol = Make(3);
  const std::string bytes = "HTTP/1.1 200 OK\r\nX-Claimbench-Index: 1\r\nContent-Length: 5\r\n\r\nbcdef";
  EXPECT_EQ(protocol->ParseResponse(std::string_view(bytes).substr(0, bytes.size() - 1), 1).status,
            Status::kIncomplete);
  ParseOutcome outcome = protocol->ParseResponse(bytes, 1);
  ASSERT_EQ(outcome.status, Status::kComplete);
  EXPECT_FALSE(outcome.valid);
  EXPECT_EQ(outcome.consumed, bytes.size());
}

}  // namespace
}  // namespace claimbench::loadgen

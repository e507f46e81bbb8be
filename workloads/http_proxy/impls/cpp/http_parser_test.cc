// One test per framing rule of the strict parser, each naming the RFC section it enforces. The rejected
// messages are the classic request-smuggling shapes: a proxy that forwarded any of them could disagree
// with the next server about where the message ends.
#include "http_parser.h"

#include <string>

#include <gtest/gtest.h>

namespace claimbench::http_proxy {
namespace {

struct RequestOutcome {
  ParseStatus status;
  RequestHead head;
  ParseError error;
};

RequestOutcome Request(std::string_view text, ParseLimits limits = {}) {
  RequestOutcome outcome;
  outcome.status = ParseRequestHead(text, limits, outcome.head, outcome.error);
  return outcome;
}

// Expects a rejection with `status` citing `section`.
void ExpectRejected(std::string_view text, int status, std::string_view section, ParseLimits limits = {}) {
  RequestOutcome outcome = Request(text, limits);
  ASSERT_EQ(outcome.status, ParseStatus::kError) << text;
  EXPECT_EQ(outcome.error.status, status) << outcome.error.reason;
  EXPECT_EQ(outcome.error.rfc_section, section) << outcome.error.reason;
}

// --- Accepted messages -------------------------------------------------------------------------------

TEST(RequestHeadTest, AcceptsSimpleGet) {
  RequestOutcome r = Request("GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\nrest");
  ASSERT_EQ(r.status, ParseStatus::kComplete);
  EXPECT_EQ(r.head.method, "GET");
  EXPECT_EQ(r.head.target, "/a?b=c");
  EXPECT_EQ(r.head.host, "example.com");
  EXPECT_EQ(r.head.framing, BodyFraming::kNone);
  EXPECT_FALSE(r.head.connection_close);
  EXPECT_EQ(r.head.head_bytes, std::string_view("GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n").size());
}

TEST(RequestHeadTest, IncompleteUntilTheEmptyLine) {
  EXPECT_EQ(Request("GET / HTTP/1.1\r\nHost: a\r\n").status, ParseStatus::kIncomplete);
  EXPECT_EQ(Request("GET / HT").status, ParseStatus::kIncomplete);
}

TEST(RequestHeadTest, ContentLengthAndChunkedFraming) {
  RequestOutcome cl = Request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n");
  ASSERT_EQ(cl.status, ParseStatus::kComplete);
  EXPECT_EQ(cl.head.framing, BodyFraming::kContentLength);
  EXPECT_EQ(cl.head.content_length, 42u);
  RequestOutcome te = Request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n");
  ASSERT_EQ(te.status, ParseStatus::kComplete);
  EXPECT_EQ(te.head.framing, BodyFraming::kChunked);
}

TEST(RequestHeadTest, ConnectionCloseAndHttp10Defaults) {
  EXPECT_TRUE(Request("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n").head.connection_close);
  EXPECT_TRUE(Request("GET / HTTP/1.0\r\n\r\n").head.connection_close);
  EXPECT_FALSE(Request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").head.connection_close);
}

TEST(RequestHeadTest, IgnoresOneLeadingEmptyLine) {  // RFC 9112 section 2.2
  EXPECT_EQ(Request("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").status, ParseStatus::kComplete);
}

// --- Rejected requests: message framing (RFC 9112 section 6) --------------------------------------------

TEST(RequestSmugglingTest, ContentLengthWithTransferEncodingRfc9112Section6_3) {
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
                 "RFC 9112 section 6.3");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400,
                 "RFC 9112 section 6.3");
}

TEST(RequestSmugglingTest, DuplicateContentLengthRfc9110Section8_6) {
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400,
                 "RFC 9110 section 8.6");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400, "RFC 9110 section 8.6");
}

TEST(RequestSmugglingTest, InvalidContentLengthRfc9110Section8_6) {
  for (std::string_view value : {"-1", "+5", "0x10", "5 5", "", "1e3", "99999999999999999999"}) {
    ExpectRejected(std::string("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ") + std::string(value) + "\r\n\r\n",
                   400, "RFC 9110 section 8.6");
  }
}

TEST(RequestSmugglingTest, FinalCodingNotChunkedRfc9112Section6_3) {
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "RFC 9112 section 6.3");
}

TEST(RequestSmugglingTest, ChunkedAppliedTwiceRfc9112Section6_1) {
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                 400, "RFC 9112 section 6.1");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400,
                 "RFC 9112 section 6.1");
}

TEST(RequestSmugglingTest, UnknownTransferCodingRfc9110Section15_6_2) {
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 501, "RFC 9110 section 15.6.2");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked \t;x\r\n\r\n", 501,
                 "RFC 9110 section 15.6.2");
}

TEST(RequestSmugglingTest, TransferEncodingInHttp10Rfc9112Section6_1) {
  ExpectRejected("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "RFC 9112 section 6.1");
}

// --- Rejected requests: field syntax (RFC 9112 section 5, RFC 9110 section 5) ---------------------------

TEST(RequestSmugglingTest, ObsFoldRfc9112Section5_2) {
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400, "RFC 9112 section 5.2");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", 400, "RFC 9112 section 5.2");
}

TEST(RequestSmugglingTest, WhitespaceBeforeColonRfc9112Section5_1) {
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n", 400, "RFC 9112 section 5.1");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\n\r\n", 400, "RFC 9112 section 5.1");
}

TEST(RequestSmugglingTest, InvalidByteInFieldNameRfc9112Section5_1) {
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", 400, "RFC 9112 section 5.1");
  ExpectRejected(std::string("GET / HTTP/1.1\r\nHost: a\r\nX\xff: b\r\n\r\n"), 400, "RFC 9112 section 5.1");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400, "RFC 9112 section 5.1");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", 400, "RFC 9112 section 5.1");
}

TEST(RequestSmugglingTest, NulInFieldValueRfc9110Section5_5) {
  constexpr char kWithNul[] = "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n";
  ExpectRejected(std::string(kWithNul, sizeof kWithNul - 1), 400, "RFC 9110 section 5.5");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x01\r\n\r\n", 400, "RFC 9110 section 5.5");
}

TEST(RequestSmugglingTest, BareCrOrLfRfc9112Section2_2) {
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400, "RFC 9112 section 2.2");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n", 400, "RFC 9112 section 2.2");
  ExpectRejected("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.2");
}

TEST(RequestSmugglingTest, MissingHostInHttp11Rfc9112Section3_2) {
  ExpectRejected("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, "RFC 9112 section 3.2");
}

TEST(RequestSmugglingTest, DuplicateHostRfc9112Section3_2) {
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "RFC 9112 section 3.2");
}

TEST(RequestSmugglingTest, InvalidHostRfc9112Section3_2) {
  ExpectRejected("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "RFC 9112 section 3.2");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "RFC 9112 section 3.2");
}

// --- Rejected requests: request line (RFC 9112 sections 2.3 and 3) -------------------------------------

TEST(RequestLineTest, MalformedRequestLineRfc9112Section3) {
  ExpectRejected("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3");
  ExpectRejected("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3");
  ExpectRejected("GET /\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3");
  ExpectRejected("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3");
  ExpectRejected("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3");
  ExpectRejected("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3");
}

TEST(RequestLineTest, TargetInNoValidFormRfc9112Section3_2) {
  ExpectRejected("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3.2");
  ExpectRejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3.2");
}

TEST(RequestLineTest, MalformedVersionRfc9112Section2_3) {
  ExpectRejected("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.3");
  ExpectRejected("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.3");
  ExpectRejected("GET / HTTP/1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.3");
  ExpectRejected("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "RFC 9112 section 2.3");
}

TEST(RequestLineTest, ConnectNotImplementedRfc9110Section15_6_2) {
  ExpectRejected("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 501, "RFC 9110 section 15.6.2");
}

// --- Limits ------------------------------------------------------------------------------------------

TEST(LimitsTest, LongTargetIs414Rfc9110Section15_5_15) {
  ParseLimits limits;
  limits.max_target_bytes = 100;
  std::string target(200, 'a');
  ExpectRejected("GET /" + target + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "RFC 9110 section 15.5.15", limits);
  // Before the line is complete too: a client cannot make the proxy buffer an endless target.
  ExpectRejected("GET /" + target, 414, "RFC 9110 section 15.5.15", limits);
}

TEST(LimitsTest, OversizedHeaderSectionIs431Rfc6585Section5) {
  ParseLimits limits;
  limits.max_head_bytes = 1024;
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + std::string(2000, 'b') + "\r\n\r\n", 431,
                 "RFC 6585 section 5", limits);
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + std::string(2000, 'b'), 431, "RFC 6585 section 5", limits);
  limits = {};
  limits.max_fields = 3;
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431, "RFC 6585 section 5", limits);
}

// --- Responses (same framing rules upstream) -------------------------------------------------------------

struct ResponseOutcome {
  ParseStatus status;
  ResponseHead head;
  ParseError error;
};

ResponseOutcome Response(std::string_view text, std::string_view method = "GET") {
  ResponseOutcome outcome;
  outcome.status = ParseResponseHead(text, method, ParseLimits{}, outcome.head, outcome.error);
  return outcome;
}

TEST(ResponseHeadTest, FramingOfOrdinaryResponses) {
  ResponseOutcome cl = Response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_EQ(cl.status, ParseStatus::kComplete);
  EXPECT_EQ(cl.head.status, 200);
  EXPECT_EQ(cl.head.framing, BodyFraming::kContentLength);
  EXPECT_EQ(Response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").head.framing, BodyFraming::kChunked);
  ResponseOutcome until_close = Response("HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_EQ(until_close.head.framing, BodyFraming::kUntilClose);
  EXPECT_TRUE(until_close.head.connection_close);
  EXPECT_EQ(Response("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").status, ParseStatus::kComplete);
}

TEST(ResponseHeadTest, NoBodyForHeadAnd204And304Rfc9112Section6_3) {
  EXPECT_EQ(Response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD").head.framing, BodyFraming::kNone);
  EXPECT_EQ(Response("HTTP/1.1 204 No Content\r\n\r\n").head.framing, BodyFraming::kNone);
  EXPECT_EQ(Response("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").head.framing, BodyFraming::kNone);
}

TEST(ResponseHeadTest, AmbiguousUpstreamFramingIs502Rfc9112Section6_3) {
  ResponseOutcome both = Response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_EQ(both.status, ParseStatus::kError);
  EXPECT_EQ(both.error.status, 502);
  EXPECT_EQ(both.error.rfc_section, "RFC 9112 section 6.3");
  ResponseOutcome duplicate = Response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n");
  ASSERT_EQ(duplicate.status, ParseStatus::kError);
  EXPECT_EQ(duplicate.error.rfc_section, "RFC 9110 section 8.6");
}

TEST(ResponseHeadTest, MalformedStatusLineIs502Rfc9112Section4) {
  for (std::string_view text : {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1 200x\r\n\r\n",
                                "HTTP/1.1 999 What\r\n\r\n"}) {
    ResponseOutcome r = Response(text);
    ASSERT_EQ(r.status, ParseStatus::kError) << text;
    EXPECT_EQ(r.error.status, 502);
    EXPECT_EQ(r.error.rfc_section, "RFC 9112 section 4") << text;
  }
}

TEST(ResponseHeadTest, ObsFoldUpstreamIs502Rfc9112Section5_2) {
  ResponseOutcome r = Response("HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(r.status, ParseStatus::kError);
  EXPECT_EQ(r.error.status, 502);
  EXPECT_EQ(r.error.rfc_section, "RFC 9112 section 5.2");
}

// --- Chunked bodies (RFC 9112 section 7.1) --------------------------------------------------------------

struct ChunkOutcome {
  ChunkedFramer::Status status;
  size_t consumed;
  std::string decoded;
  ParseError error;
};

// Feeds `body` one byte at a time when `bytewise`, else in one piece.
ChunkOutcome Chunks(std::string_view body, bool bytewise = false) {
  ChunkedFramer framer;
  ChunkOutcome outcome{ChunkedFramer::Status::kNeedMore, 0, {}, {}};
  if (bytewise) {
    for (size_t i = 0; i < body.size() && outcome.status == ChunkedFramer::Status::kNeedMore; ++i) {
      size_t used = 0;
      outcome.status = framer.Consume(body.substr(i, 1), used, &outcome.decoded);
      outcome.consumed += used;
    }
  } else {
    outcome.status = framer.Consume(body, outcome.consumed, &outcome.decoded);
  }
  outcome.error = framer.error();
  return outcome;
}

TEST(ChunkedTest, DecodesAndStopsAtTheEndOfTheMessage) {
  std::string_view body = "5\r\nhello\r\n1;name=value;q=\"a b\"\r\n!\r\n0\r\nX-T: 1\r\n\r\nGET /next";
  for (bool bytewise : {false, true}) {
    ChunkOutcome r = Chunks(body, bytewise);
    ASSERT_EQ(r.status, ChunkedFramer::Status::kDone) << r.error.reason;
    EXPECT_EQ(r.decoded, "hello!");
    EXPECT_EQ(body.substr(r.consumed), "GET /next");
  }
}

TEST(ChunkedTest, MalformedChunkSizeRfc9112Section7_1) {
  for (std::string_view body : {"x\r\n", "-5\r\n", "+5\r\n", " 5\r\n", "\r\n", "0x5\r\n", "1234567890abcdef0\r\n"}) {
    ChunkOutcome r = Chunks(body);
    ASSERT_EQ(r.status, ChunkedFramer::Status::kError) << body;
    EXPECT_EQ(r.error.rfc_section.substr(0, 20), "RFC 9112 section 7.1") << body;
  }
}

TEST(ChunkedTest, BytesAfterSizeThatAreNoExtensionRfc9112Section7_1_1) {
  for (std::string_view body : {"5 \r\n", "5x\r\n", "5;\r\n", "5;a=\r\n", "5;a=\"b\r\n"}) {
    ChunkOutcome r = Chunks(body);
    ASSERT_EQ(r.status, ChunkedFramer::Status::kError) << body;
    EXPECT_EQ(r.error.rfc_section, "RFC 9112 section 7.1.1") << body;
  }
}

TEST(ChunkedTest, MissingCrlfAfterDataRfc9112Section7_1) {
  for (std::string_view body : {"5\r\nhelloX\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n", "5\nhello\r\n"}) {
    ChunkOutcome r = Chunks(body);
    ASSERT_EQ(r.status, ChunkedFramer::Status::kError) << body;
    EXPECT_EQ(r.error.rfc_section, "RFC 9112 section 7.1");
  }
}

TEST(ChunkedTest, InvalidTrailerFieldRfc9112Section7_1_2) {
  ChunkOutcome r = Chunks("0\r\nX-T : 1\r\n\r\n");
  ASSERT_EQ(r.status, ChunkedFramer::Status::kError);
  EXPECT_EQ(r.error.rfc_section, "RFC 9112 section 7.1.2");
}

TEST(ChunkedTest, EndlessSizeLineIsBounded) {
  ChunkOutcome r = Chunks("5;" + std::string(10'000, 'a'));
  EXPECT_EQ(r.status, ChunkedFramer::Status::kError);
}

// --- Hop-by-hop fields (RFC 9110 section 7.6.1) ------------------------------------------------------------

TEST(HopByHopTest, StandardAndConnectionListedFieldsRfc9110Section7_6_1) {
  EXPECT_TRUE(IsHopByHop("Connection", ""));
  EXPECT_TRUE(IsHopByHop("keep-alive", ""));
  EXPECT_TRUE(IsHopByHop("Transfer-Encoding", ""));
  EXPECT_TRUE(IsHopByHop("Upgrade", ""));
  EXPECT_TRUE(IsHopByHop("X-Secret", "close, x-secret"));
  EXPECT_FALSE(IsHopByHop("X-Other", "close, x-secret"));
  EXPECT_FALSE(IsHopByHop("Content-Length", ""));
}

}  // namespace
}  // namespace claimbench::http_proxy

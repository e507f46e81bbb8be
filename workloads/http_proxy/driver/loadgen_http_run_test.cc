// The load generator's worker with HTTP/1.1 responses that arrive in pieces: each response is written in
// pieces of 1 to 13 bytes, so over a run the reads end at every byte boundary of the head, the body and
// the chunk framing, and the worker goes back and forth between parsing straight from its read buffer
// and keeping a partial response. Every response must still be checked to the last byte. Each run takes
// a fraction of a second.
#include <gtest/gtest.h>

#include "claimbench/loadgen.h"
#include "loadgen_http.h"
#include "testing/http_responder.h"

namespace claimbench::loadgen {
namespace {

using testing::HttpResponder;

constexpr int64_t kMs = 1'000'000;

LoadResult RunAgainst(const HttpResponder& origin, bool chunked, size_t response_bytes = 50) {
  LoadSpec spec;
  spec.port = origin.port();
  spec.connections = 3;
  spec.warmup_ns = 0;
  spec.duration_ns = 400 * kMs;
  spec.request_timeout_ns = 2'000 * kMs;
  HttpRequestShape shape;
  shape.response_bytes = response_bytes;
  shape.chunked = chunked;
  spec.make_protocol = MakeHttpProtocolFactory(shape);
  return RunClosedLoop(spec);
}

std::string Samples(const LoadResult& r) {
  std::string all;
  for (const std::string& sample : r.error_samples) all += sample + "; ";
  return all;
}

TEST(LoadGenHttpRun, ResponsesSplitAtEveryBoundaryAllVerify) {
  HttpResponder::Options options;
  options.max_piece_bytes = 13;
  for (bool chunked : {false, true}) {
    HttpResponder origin(options);
    const LoadResult r = RunAgainst(origin, chunked);
    EXPECT_GE(r.completed, 30) << "chunked " << chunked;
    EXPECT_EQ(r.sent, r.completed) << "chunked " << chunked << ": " << Samples(r);
    EXPECT_EQ(r.invalid_responses + r.errors + r.timeouts, 0) << Samples(r);
  }
}

TEST(LoadGenHttpRun, OneCorruptedBodyByteIsOneInvalidResponse) {
  HttpResponder::Options options;
  options.max_piece_bytes = 13;
  options.corrupt_index = 7;
  for (bool chunked : {false, true}) {
    HttpResponder origin(options);
    const LoadResult r = RunAgainst(origin, chunked);
    EXPECT_GE(r.completed, 30) << "chunked " << chunked;
    EXPECT_EQ(r.invalid_responses, 1) << "chunked " << chunked << ": " << Samples(r);
    EXPECT_EQ(r.errors + r.timeouts, 0) << Samples(r);
    ASSERT_EQ(r.error_samples.size(), 1u);
    EXPECT_NE(r.error_samples[0].find("body"), std::string::npos) << r.error_samples[0];
  }
}

TEST(LoadGenHttpRun, AResponseSentTwiceIsNotTakenForTheNextOne) {
  HttpResponder::Options options;
  options.duplicate_index = 4;  // in one write, so the copy arrives in the same read as the original
  HttpResponder origin(options);
  const LoadResult r = RunAgainst(origin, /*chunked=*/false);
  EXPECT_GE(r.completed, 30);
  EXPECT_GE(r.invalid_responses, 1) << Samples(r);
  EXPECT_NE(Samples(r).find("X-Claimbench-Index"), std::string::npos) << Samples(r);
  EXPECT_EQ(r.sent, r.completed + r.errors + r.timeouts + r.invalid_responses);
}

TEST(LoadGenHttpRun, LargeResponsesReadInManyPiecesVerifyAndOneBadByteIsCaught) {
  HttpResponder::Options options;
  options.corrupt_index = 5;
  for (bool chunked : {false, true}) {
    HttpResponder origin(options);  // whole responses in one write; the kernel splits 300 KB into many reads
    const LoadResult r = RunAgainst(origin, chunked, 300'000);
    EXPECT_GE(r.completed, 10) << "chunked " << chunked;
    EXPECT_EQ(r.invalid_responses, 1) << "chunked " << chunked << ": " << Samples(r);
    EXPECT_EQ(r.errors + r.timeouts, 0) << Samples(r);
  }
}

}  // namespace
}  // namespace claimbench::loadgen

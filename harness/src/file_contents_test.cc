#include "claimbench/file_contents.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "claimbench/error.h"
#include "claimbench/testing/temp_dir.h"

namespace claimbench {
namespace {

TEST(FileContentsTest, ReadsEveryByte) {
  testing::TempDir dir;
  const std::string bytes("a\0b\r\n\xff", 6);
  std::ofstream(dir.path() / "f", std::ios::binary) << bytes;
  EXPECT_EQ(ReadWholeFile(dir.path() / "f"), bytes);
  EXPECT_EQ(ReadFileIfPresent(dir.path() / "f"), bytes);
  std::ofstream(dir.path() / "empty", std::ios::binary).flush();
  EXPECT_EQ(ReadWholeFile(dir.path() / "empty"), "");
}

TEST(FileContentsTest, AMissingFileIsAnErrorNamingItOrNulloptWhenAllowed) {
  testing::TempDir dir;
  try {
    ReadWholeFile(dir.path() / "absent.txt");
    FAIL() << "no error";
  } catch (const SetupError& error) {
    EXPECT_NE(std::string(error.what()).find("absent.txt"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("No such file"), std::string::npos) << error.what();
  }
  EXPECT_EQ(ReadFileIfPresent(dir.path() / "absent.txt"), std::nullopt);
}

TEST(FileContentsTest, ADirectoryIsAnErrorEvenWhenAbsenceIsAllowed) {
  testing::TempDir dir;
  EXPECT_THROW(ReadWholeFile(dir.path()), SetupError);
  EXPECT_THROW(ReadFileIfPresent(dir.path()), SetupError);
}

}  // namespace
}  // namespace claimbench

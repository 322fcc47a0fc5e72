// The documents stay true to the code. In README.md and docs/*.md:
//  - every relative link points to a file that exists;
//  - a link to lines, [text](../layers/conv2d.cpp#L95-L97 "marker"), carries a marker in its title, and the
//    marker must appear within those lines: a short comment that stands at the equation in the code (like
//    "dW[OC,R] += dY[OC,P] · colsᵀ[P,R]"), or, for a link into tests/, the name of the test case, which must be
//    there as TEST_CASE("name". When code moves (a merge, an edit above), the failure says where the marker
//    is now and which #L range to write instead;
//  - a ```console block is a transcript: each "$ minicnn ..." line is run (from the repository root) and its
//    output must be exactly the lines that follow it. The worked examples are checked this way.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = MINICNN_SOURCE_DIR;

std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<fs::path> documents() {
  std::vector<fs::path> docs{kRoot / "README.md"};
  for (const auto& entry : fs::directory_iterator(kRoot / "docs"))
    if (entry.path().extension() == ".md") docs.push_back(entry.path());
  return docs;
}

struct Link {
  fs::path document;
  int line = 0;  // in the document, from 1
  std::string target, title;
};

std::vector<Link> links_in(const fs::path& document) {
  // [text](target "title"): text without brackets, target without spaces, title optional.
  static const std::regex link(R"re(\[[^\]]*\]\(([^)\s]+)(?:\s+"([^"]*)")?\))re");
  std::vector<Link> links;
  const std::vector<std::string> lines = read_lines(document);
  bool in_code = false;
  for (size_t k = 0; k < lines.size(); ++k) {
    if (lines[k].rfind("```", 0) == 0) in_code = !in_code;
    if (in_code) continue;
    for (std::sregex_iterator it(lines[k].begin(), lines[k].end(), link), end; it != end; ++it)
      links.push_back(Link{document, static_cast<int>(k + 1), (*it)[1].str(), (*it)[2].str()});
  }
  return links;
}

bool is_external(const std::string& target) {
  return target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0 || target.rfind("mailto:", 0) == 0 ||
         target.rfind('#', 0) == 0;
}

// What a link to lines must find there: the marker itself, or for a test file TEST_CASE("marker".
std::string expected_text(const fs::path& file, const std::string& marker) {
  const bool test_file = file.parent_path().filename() == "tests";
  return test_file ? "TEST_CASE(\"" + marker + "\"" : marker;
}

// Checks one link to lines; returns "" or what is wrong, with the fix when the marker moved.
std::string check_line_link(const fs::path& file, const std::string& shown, int first, int last,
                            const std::string& marker) {
  if (marker.empty()) return "a link to lines needs a marker title: [text](" + shown + " \"text found there\")";
  const std::vector<std::string> lines = read_lines(file);
  const std::string expected = expected_text(file, marker);
  if (first >= 1 && first <= last && last <= static_cast<int>(lines.size()))
    for (int k = first; k <= last; ++k)
      if (lines[k - 1].find(expected) != std::string::npos) return "";
  std::string where;
  for (size_t k = 0; k < lines.size(); ++k)
    if (lines[k].find(expected) != std::string::npos) {
      const int start = static_cast<int>(k + 1), end = start + (last - first);
      where = "; it is on line " + std::to_string(start) + ": write #L" + std::to_string(start) +
              (end > start ? "-L" + std::to_string(end) : "");
      break;
    }
  return shown + ": " + expected + " is not in lines " + std::to_string(first) + "-" + std::to_string(last) +
         (where.empty() ? "; it is nowhere in the file any more" : where);
}

struct Run {
  int status;
  std::string out;
};

Run run_minicnn(const std::string& arguments) {
  const fs::path out = fs::temp_directory_path() / ("minicnn-docs-test-" + std::to_string(::getpid()));
  const std::string command =
      "cd '" + kRoot.string() + "' && " + std::string(MINICNN_BINARY) + " " + arguments + " >" + out.string() + " 2>&1";
  const int raw = std::system(command.c_str());
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  fs::remove(out);
  return Run{WEXITSTATUS(raw), text.str()};
}

}  // namespace

TEST_CASE("every relative link in the documents points to a file that exists, and every line link to its marker") {
  int line_links = 0;
  for (const fs::path& document : documents())
    for (const Link& link : links_in(document)) {
      if (is_external(link.target)) continue;
      const std::string where = fs::relative(document, kRoot).string() + ":" + std::to_string(link.line);
      INFO(where << ": " << link.target);
      const size_t hash = link.target.find('#');
      const fs::path file = document.parent_path() / link.target.substr(0, hash);
      CHECK(fs::exists(file));
      if (hash == std::string::npos || !fs::exists(file)) continue;
      static const std::regex lines_anchor(R"(L(\d+)(?:-L(\d+))?)");
      std::smatch m;
      const std::string anchor = link.target.substr(hash + 1);
      if (!std::regex_match(anchor, m, lines_anchor)) continue;
      const int first = std::stoi(m[1].str()), last = m[2].matched ? std::stoi(m[2].str()) : first;
      const std::string problem = check_line_link(file, link.target, first, last, link.title);
      if (!problem.empty()) FAIL_CHECK(where << ": " << problem);
      ++line_links;
    }
  CHECK(line_links >= 20);  // the derivation links its equations to code and tests
}

TEST_CASE("the transcripts in the documents are what minicnn prints") {
  int commands = 0;
  for (const fs::path& document : documents()) {
    const std::vector<std::string> lines = read_lines(document);
    for (size_t k = 0; k < lines.size(); ++k) {
      if (lines[k] != "```console") continue;
      // Each "$ minicnn ARGS" line, and the output lines after it, up to the next command or the block's end.
      std::string arguments, expected;
      int command_line = 0;
      auto check = [&] {
        if (command_line == 0) return;
        INFO(fs::relative(document, kRoot).string() << ":" << command_line << ": minicnn " << arguments);
        const Run r = run_minicnn(arguments);
        CHECK(r.status == 0);
        CHECK(r.out == expected);
        ++commands;
      };
      for (++k; k < lines.size() && lines[k] != "```"; ++k) {
        if (lines[k].rfind("$ minicnn ", 0) == 0) {
          check();
          arguments = lines[k].substr(10);
          expected.clear();
          command_line = static_cast<int>(k + 1);
        } else {
          expected += lines[k] + "\n";
        }
      }
      check();
    }
  }
  CHECK(commands >= 2);  // explain conv2d and explain toeplitz, at least
}

TEST_CASE("the line-link checker finds a moved marker and says where it went") {
  const fs::path file = fs::temp_directory_path() / ("minicnn-docs-marker-" + std::to_string(::getpid()) + ".cpp");
  std::ofstream(file) << "a\nb\n// dW = dY · colsᵀ\nc\n";
  CHECK(check_line_link(file, "x.cpp#L3", 3, 3, "dW = dY · colsᵀ").empty());
  CHECK(check_line_link(file, "x.cpp#L1-L2", 1, 2, "dW = dY · colsᵀ") ==
        "x.cpp#L1-L2: dW = dY · colsᵀ is not in lines 1-2; it is on line 3: write #L3-L4");
  CHECK(check_line_link(file, "x.cpp#L3", 3, 3, "dx = col2im") ==
        "x.cpp#L3: dx = col2im is not in lines 3-3; it is nowhere in the file any more");
  CHECK(check_line_link(file, "x.cpp#L9", 9, 9, "dW = dY · colsᵀ").find("it is on line 3: write #L3") !=
        std::string::npos);
  CHECK(check_line_link(file, "x.cpp#L3", 3, 3, "").find("needs a marker title") != std::string::npos);
  fs::remove(file);
}

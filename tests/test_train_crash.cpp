// `minicnn train` as a user's machine treats it: killed (SIGKILL) at many moments and resumed, run out of
// disk, and started twice on one run directory. The program runs as a child process, exactly as installed.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "core/error.hpp"
#include "datasets/idx.hpp"
#include "datasets/synthetic.hpp"
#include "models/checkpoint.hpp"

using namespace minicnn;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string slurp(const fs::path& path) {
  std::stringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

// A scratch directory with the bars problem as IDX files and a config training on it for `epochs`; with
// hidden_units, a hidden linear layer of that width makes the checkpoint large.
struct Scratch {
  fs::path root = fs::temp_directory_path() / ("minicnn-crash-test-" + std::to_string(::getpid()));
  fs::path config = root / "bars.json";

  explicit Scratch(int epochs, int train_images, int hidden_units = 0) {
    fs::remove_all(root);
    fs::create_directories(root);
    Rng rng(9);
    for (auto [split, count] : {std::pair{Split::Train, train_images}, std::pair{Split::Test, 200}}) {
      write_idx_split((root / "data").string(), split, make_bars(count, 12, rng), false);
    }
    std::ofstream(config) << R"({
      "input": {"channels": 1, "height": 12, "width": 12},
      "layers": [{"type": "conv2d", "filters": 6, "kernel": 3}, {"type": "relu"}, {"type": "maxpool"},
                 {"type": "flatten"}, {"type": "dropout", "p": 0.1}, )"
                   << (hidden_units > 0 ? R"({"type": "linear", "units": )" + std::to_string(hidden_units) +
                                              R"(}, {"type": "relu"}, )"
                                        : "")
                   << R"({"type": "linear", "units": 10}],
      "optimizer": {"lr": 0.05, "momentum": 0.9},
      "data": {"path": ")" << (root / "data").string() << R"(", "normalize": "standardize"},
      "training": {"epochs": )" << epochs << R"(, "batch_size": 16, "seed": 3, "threads": 2}
    })";
  }
  ~Scratch() { fs::remove_all(root); }
};

// A minicnn process, its output going to files.
struct Process {
  pid_t pid = -1;
  fs::path out, err;

  // Starts `minicnn ARGS...`. With file_size_limit set, the process may not write files larger than that,
  // the way a full disk stops a write (SIGXFSZ is ignored, so the write fails with EFBIG).
  Process(const std::vector<std::string>& args, const fs::path& output_prefix,
          std::optional<rlim_t> file_size_limit = {})
      : out(output_prefix.string() + ".out"), err(output_prefix.string() + ".err") {
    std::vector<std::string> argv_strings = {MINICNN_BINARY};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out_fd < 0 || err_fd < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) ::_exit(120);
      if (file_size_limit) {
        const rlimit limit{*file_size_limit, *file_size_limit};
        ::signal(SIGXFSZ, SIG_IGN);
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(121);
      }
      std::vector<char*> argv;
      for (std::string& arg : argv_strings) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(122);
    }
  }

  // The exit status, or 128 + the signal that ended it; waits at most `timeout`, then kills.
  int wait(std::chrono::seconds timeout = std::chrono::seconds(600)) {
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        FAIL("minicnn did not finish in time");
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // Whether it has ended (it stays waitable).
  bool ended() const {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
  }
  std::string stdout_text() const { return slurp(out); }
  std::string stderr_text() const { return slurp(err); }
};

// Watches a directory for files being created or renamed into it.
class DirectoryWatch {
 public:
  explicit DirectoryWatch(const fs::path& dir) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    REQUIRE(fd_ >= 0);
    REQUIRE(::inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_MOVED_TO) >= 0);
  }
  ~DirectoryWatch() { ::close(fd_); }
  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;

  // Waits until an entry named `name` (or, with prefix set, starting with it) appears, and returns true; or
  // returns false once `timeout_ms` have passed or `process` has ended.
  bool wait_for(const std::string& name, bool prefix, int timeout_ms, const Process& process) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      alignas(inotify_event) char buffer[4096];
      ssize_t n;
      while ((n = ::read(fd_, buffer, sizeof buffer)) > 0)
        for (char* at = buffer; at < buffer + n;) {
          const auto* event = reinterpret_cast<const inotify_event*>(at);
          const std::string entry = event->len > 0 ? event->name : "";
          if (prefix ? entry.rfind(name, 0) == 0 : entry == name) return true;
          at += sizeof(inotify_event) + event->len;
        }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || process.ended()) return false;
      pollfd pfd{fd_, POLLIN, 0};
      ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 20)));
    }
  }
  void drain() {
    alignas(inotify_event) char buffer[4096];
    while (::read(fd_, buffer, sizeof buffer) > 0) {
    }
  }

 private:
  int fd_;
};

// The epochs the process reported finished ("epoch 2/3  train loss ..." lines).
int reported_epochs(const std::string& output) {
  static const std::regex line(R"(^epoch (\d+)/\d+  train loss)", std::regex::multiline);
  int last = 0;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), line); it != std::sregex_iterator(); ++it)
    last = std::max(last, std::stoi((*it)[1]));
  return last;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A metrics.csv row without its last column (the seconds the epoch took).
std::string without_seconds(const std::string& row) { return row.substr(0, row.rfind(',')); }

std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos)
      names.push_back(entry.path().filename().string());
  return names;
}

bool same_tensors(const std::vector<NamedTensor>& a, const std::vector<NamedTensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || !(a[i].tensor.shape() == b[i].tensor.shape()) ||
        std::memcmp(a[i].tensor.data(), b[i].tensor.data(), a[i].tensor.numel() * sizeof(float)) != 0)
      return false;
  return true;
}

// What a run directory must look like after its process died at any moment: the checkpoint loads (or
// does not exist yet), no epoch the process reported finished is missing from it, metrics.csv holds a
// complete row for every saved epoch (and at most the one after), and config.json is whole JSON.
int check_run_directory(const fs::path& dir, int reported) {
  int saved = 0;
  if (fs::exists(dir / "checkpoint.bin")) {
    Checkpoint checkpoint;
    CHECK_NOTHROW(checkpoint = load_checkpoint((dir / "checkpoint.bin").string()));
    saved = static_cast<int>(checkpoint.epoch);
  }
  CHECK(reported <= saved);
  if (fs::exists(dir / "metrics.csv")) {
    const std::vector<std::string> rows = lines_of(slurp(dir / "metrics.csv"));
    REQUIRE(!rows.empty());
    CHECK(rows[0].rfind("epoch,", 0) == 0);
    const int row_count = static_cast<int>(rows.size()) - 1;
    CHECK((row_count == saved || row_count == saved + 1));
    for (int row = 1; row <= row_count; ++row) {
      CHECK(rows[row].rfind(std::to_string(row) + ",", 0) == 0);
      CHECK(std::count(rows[row].begin(), rows[row].end(), ',') == 8);
    }
  }
  if (fs::exists(dir / "config.json")) CHECK(nlohmann::json::accept(slurp(dir / "config.json")));
  return saved;
}

}  // namespace

TEST_CASE("a run killed at any moment and resumed loses no finished epoch and ends bit for bit as if never killed") {
  constexpr int kEpochs = 3;
  Scratch scratch(kEpochs, 3000);
  const std::string config = scratch.config.string();

  // The uninterrupted run, and how long an epoch takes here (the sanitizer build is many times slower).
  const fs::path straight = scratch.root / "straight";
  const auto started = Clock::now();
  Process reference({"train", config, "--out", straight.string()}, scratch.root / "straight");
  REQUIRE(reference.wait() == 0);
  const double epoch_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - started).count() / kEpochs;
  MESSAGE("an epoch takes about " << epoch_ms << " ms");

  // The same run killed again and again: when a temporary checkpoint appears (mid-save), right after a
  // checkpoint is renamed into place, while the metrics or the filters picture are written, and at
  // moments spread over the epoch (mostly inside a batch). Each kill is followed by a resume (or, before
  // the first checkpoint exists, a fresh start in the same directory).
  struct Moment {
    const char* when;
    std::string file;         // kill when an entry of this name (with `prefix`, starting so) appears, or
    bool prefix = false;
    double epochs = 0.0;      // (without a file) after this many epochs' time
  };
  const std::vector<Moment> moments = {
      {"in the first epoch", "", false, 0.6},
      {"while saving a checkpoint", "checkpoint.bin.tmp.", true},
      {"in a batch", "", false, 0.4},
      {"right after a checkpoint", "checkpoint.bin", false},
      {"while writing metrics", "metrics.csv.tmp.", true},
      {"in a batch", "", false, 0.8},
      {"while saving the filters", "filters.png.tmp.", true},
      {"while saving a checkpoint", "checkpoint.bin.tmp.", true},
      {"in a batch", "", false, 0.2},
      {"in a batch", "", false, 1.1},
  };
  const fs::path run = scratch.root / "killed";
  fs::create_directories(run);
  DirectoryWatch watch(run);
  int kills = 0, saves_cut = 0, attempt = 0;
  pid_t last = 0;
  const auto saved_epochs = [&] {
    return fs::exists(run / "checkpoint.bin") ? load_checkpoint((run / "checkpoint.bin").string()).epoch : 0;
  };
  constexpr int kKillsWanted = 6;
  for (size_t k = 0;; ++k) {
    if (saved_epochs() >= kEpochs) {
      // The run got to its end before enough kills (a machine that sped up since the epoch was timed lets a
      // timed kill come too late): train again from nothing in the same directory, at the moments left.
      if (kills >= kKillsWanted || k >= moments.size()) break;
      for (const fs::directory_entry& entry : fs::directory_iterator(run)) fs::remove_all(entry.path());
    }
    const std::vector<std::string> args =
        fs::exists(run / "checkpoint.bin") ? std::vector<std::string>{"train", "--resume", run.string()}
                                           : std::vector<std::string>{"train", config, "--out", run.string()};
    watch.drain();
    Process p(args, scratch.root / ("attempt" + std::to_string(++attempt)));
    last = p.pid;
    if (k >= moments.size()) {
      CAPTURE(p.stderr_text());
      REQUIRE(p.wait() == 0);
      break;
    }
    const Moment& m = moments[k];
    CAPTURE(m.when);
    if (!m.file.empty()) watch.wait_for(m.file, m.prefix, static_cast<int>(10 * epoch_ms + 5000), p);
    else std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(m.epochs * epoch_ms));
    ::kill(p.pid, SIGKILL);
    const int status = p.wait();
    if (status == 0) continue;  // it finished before the kill
    CHECK(status == 128 + SIGKILL);
    ++kills;
    saves_cut += !temporaries(run).empty();
    check_run_directory(run, reported_epochs(p.stdout_text()));
  }
  MESSAGE(kills << " kills, " << saves_cut << " of them leaving a save unfinished, in " << attempt << " starts");
  CHECK(kills >= kKillsWanted);

  CHECK(check_run_directory(run, kEpochs) == kEpochs);
  // What a killed save leaves behind, the next start removes: only the last process's may remain.
  for (const std::string& name : temporaries(run)) CHECK(name.ends_with(".tmp." + std::to_string(last)));
  const Checkpoint a = load_checkpoint((straight / "checkpoint.bin").string());
  const Checkpoint b = load_checkpoint((run / "checkpoint.bin").string());
  CHECK(same_tensors(a.params, b.params));
  CHECK(same_tensors(a.optimizer_state, b.optimizer_state));
  CHECK(a.rng_state == b.rng_state);
  const std::vector<std::string> rows_a = lines_of(slurp(straight / "metrics.csv"));
  const std::vector<std::string> rows_b = lines_of(slurp(run / "metrics.csv"));
  REQUIRE(rows_a.size() == rows_b.size());
  for (size_t i = 0; i < rows_a.size(); ++i) CHECK(without_seconds(rows_a[i]) == without_seconds(rows_b[i]));
}

TEST_CASE("a disk that fills while saving a checkpoint: one clear error, exit status 1, the previous checkpoint intact") {
  // A hidden layer of 512 makes the checkpoint (about 650 kB) the largest file of the run directory; the
  // next is report.html (about 30 kB).
  Scratch scratch(1, 600, 512);
  const fs::path run = scratch.root / "full";
  REQUIRE(Process({"train", scratch.config.string(), "--out", run.string()}, scratch.root / "first").wait() == 0);
  const fs::path checkpoint = run / "checkpoint.bin";
  const std::string before = slurp(checkpoint);
  for (const auto& entry : fs::recursive_directory_iterator(run))
    if (entry.is_regular_file() && entry.path() != checkpoint) REQUIRE(entry.file_size() < before.size() / 8);
  const std::string expected_start = "minicnn: failed: " + checkpoint.string() + ": cannot write " +
                                     checkpoint.string() + ".tmp.";

  // Resuming for a second epoch, in a process whose files may not grow past half a checkpoint: every other
  // file of the run directory is smaller and written, the new checkpoint is not.
  Process limited({"train", "--resume", run.string(), "--epochs", "2"}, scratch.root / "limited",
                  static_cast<rlim_t>(before.size() / 2));
  CHECK(limited.wait() == 1);
  const std::string error = limited.stderr_text();
  CHECK(error.rfind(expected_start, 0) == 0);
  CHECK(error.ends_with(": File too large (the previous checkpoint is unchanged)\n"));
  CHECK(std::count(error.begin(), error.end(), '\n') == 1);
  CHECK(slurp(checkpoint) == before);
  CHECK(temporaries(run).empty());
  CHECK(check_run_directory(run, reported_epochs(limited.stdout_text())) == 1);

  // A real full file system where one can be made (root in a private mount namespace): a tmpfs holding the
  // run directory, filled up to 32 pages: room for the new versions of every file but the checkpoint.
  const fs::path disk = scratch.root / "disk";
  fs::create_directories(disk);
  if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      ::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=2m") != 0) {
    MESSAGE("no tmpfs here (" << std::strerror(errno) << "): the full file system case is skipped");
  } else {
    const fs::path small_run = disk / "run";
    fs::copy(run, small_run);
    {
      const int filler = ::open((disk / "filler").c_str(), O_WRONLY | O_CREAT, 0644);
      REQUIRE(filler >= 0);
      const std::vector<char> page(4096, 'x');
      while (::write(filler, page.data(), page.size()) == static_cast<ssize_t>(page.size())) {
      }
      CHECK(errno == ENOSPC);
      REQUIRE(::ftruncate(filler, ::lseek(filler, 0, SEEK_CUR) - 32 * 4096) == 0);
      ::close(filler);
    }
    const std::string small_before = slurp(small_run / "checkpoint.bin");
    Process full({"train", "--resume", small_run.string(), "--epochs", "2"}, scratch.root / "full");
    CHECK(full.wait() == 1);
    const std::string message = full.stderr_text();
    CHECK(message.rfind("minicnn: failed: " + (small_run / "checkpoint.bin").string() + ": cannot write ", 0) == 0);
    CHECK(message.ends_with(": No space left on device (the previous checkpoint is unchanged)\n"));
    CHECK(slurp(small_run / "checkpoint.bin") == small_before);
    CHECK(temporaries(small_run).empty());
    CHECK(::umount(disk.c_str()) == 0);
  }

  // With room again, the run resumes from the intact checkpoint and finishes.
  Process again({"train", "--resume", run.string(), "--epochs", "2"}, scratch.root / "again");
  CHECK(again.wait() == 0);
  CHECK(check_run_directory(run, reported_epochs(again.stdout_text())) == 2);
}

TEST_CASE("a second trainer on a run directory is refused while the first trains, which goes on undisturbed") {
  Scratch scratch(100000, 600);
  const fs::path run = scratch.root / "busy";
  Process first({"train", scratch.config.string(), "--out", run.string()}, scratch.root / "first");
  // The lock is held from before the first line of output until the process ends.
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (first.stdout_text().find("run directory:") == std::string::npos && !first.ended() && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE_FALSE(first.ended());
  const std::string refusal = "minicnn: error: " + run.string() + ": another minicnn process is training in this run directory\n";

  Process resume({"train", "--resume", run.string()}, scratch.root / "resume");
  CHECK(resume.wait() == 2);
  CHECK(resume.stderr_text() == refusal);
  // A new run pointed at the same directory is refused too: by the lock, or (once the first run has saved
  // an epoch) because the directory holds a run.
  Process fresh({"train", scratch.config.string(), "--out", run.string()}, scratch.root / "fresh");
  CHECK(fresh.wait() == 2);
  const std::string fresh_error = fresh.stderr_text();
  CHECK((fresh_error == refusal || fresh_error.find(": already holds a run; continue it with --resume") != std::string::npos));

  CHECK_FALSE(first.ended());
  ::kill(first.pid, SIGINT);
  CHECK(first.wait() == 130);
  CHECK(check_run_directory(run, reported_epochs(first.stdout_text())) >= 0);
  CHECK(load_checkpoint((run / "checkpoint.bin").string()).metadata_json.find("unfinished_epoch") != std::string::npos);
}

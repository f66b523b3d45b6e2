// main() for fuzz targets built without libFuzzer (g++: the Release tree, where ctest runs
// `fuzz_<name>_replay`): runs the target over every file of the given corpus directories (seeds
// and regression inputs). With -max_total_time=N (and -seed=S) it then mutates corpus inputs at
// random for N seconds, a crude fuzzer for a machine without clang; `make test` fuzzes with real
// libFuzzer in the sanitizer tree instead. Same flag spelling as libFuzzer.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Input = std::string;

std::vector<Input> LoadCorpus(const std::vector<std::string>& paths) {
  std::vector<Input> corpus;
  for (const std::string& path : paths) {
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else {
      files.emplace_back(path);
    }
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  return corpus;
}

void Run(const Input& input) {
  // A copy in a buffer of its exact size, so ASan sees reads past the end.
  std::vector<uint8_t> bytes(input.begin(), input.end());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
}

Input Mutate(const std::vector<Input>& corpus, std::mt19937_64& rng) {
  Input input = corpus.empty() ? Input() : corpus[rng() % corpus.size()];
  int steps = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < steps; ++i) {
    size_t at = input.empty() ? 0 : rng() % input.size();
    switch (rng() % 5) {
      case 0:
        if (!input.empty()) input[at] = static_cast<char>(rng());
        break;
      case 1:
        input.insert(at, 1, static_cast<char>(rng()));
        break;
      case 2:
        if (!input.empty()) input.erase(at, 1 + rng() % 16);
        break;
      case 3:  // repeat a chunk: deep nesting, long lists
        input.insert(at, input.substr(at, 1 + rng() % 8), 0, std::string::npos);
        input.insert(at, std::string(1 + rng() % 64, input.empty() ? '[' : input[at]));
        break;
      default:  // splice in part of another input
        if (!corpus.empty()) {
          const Input& other = corpus[rng() % corpus.size()];
          size_t from = other.empty() ? 0 : rng() % other.size();
          input.insert(at, other.substr(from, rng() % 256));
        }
    }
  }
  return input;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> paths;
  double seconds = 0;
  uint64_t seed = static_cast<uint64_t>(std::random_device()());
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.rfind("-max_total_time=", 0) == 0) {
      seconds = std::atof(argv[i] + 16);
    } else if (arg.rfind("-seed=", 0) == 0) {
      seed = std::strtoull(argv[i] + 6, nullptr, 10);
    } else if (arg.rfind("-", 0) != 0) {
      paths.emplace_back(arg);
    }  // other libFuzzer flags mean nothing here
  }
  std::vector<Input> corpus = LoadCorpus(paths);
  std::printf("replaying %zu inputs\n", corpus.size());
  std::fflush(stdout);
  for (const Input& input : corpus) Run(input);
  // Printed before the random phase, so a crash in the random phase is reproduced with -seed=<it>.
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  std::mt19937_64 rng(seed);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int64_t runs = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    Run(Mutate(corpus, rng));
    ++runs;
  }
  std::printf("mutated %lld inputs in %.0f s\n", static_cast<long long>(runs), seconds);
  return 0;
}

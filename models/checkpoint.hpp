#pragma once
// Checkpoints: everything needed to resume training exactly where it stopped, in one binary file.
//
// File layout, version 1. Integers are little-endian with the widths given; floats are IEEE-754 binary32,
// little-endian; there is no padding anywhere.
//
//   offset  size  type   field
//   0       8     bytes  magic "MCNNCKPT"
//   8       4     u32    format version (1)
//   12      8     u64    P, the payload size in bytes
//   20      P            payload, below
//   20+P    4     u32    CRC-32 of the P payload bytes (zlib's crc32, the polynomial of gzip and PNG)
//
// The payload, field after field. A "string" is a u32 byte count followed by that many bytes of UTF-8 (no
// terminator); a "tensor list" is a u32 count followed by that many tensors.
//
//   type          field
//   string        config_json      the training config (at most 64 MiB)
//   string        metadata_json    free-form: learning rate, class names, normalization... (at most 64 MiB)
//   i64           epoch            number of completed epochs (>= 0)
//   4 x u64       rng_state        the xoshiro256** state words s[0], s[1], s[2], s[3]
//   tensor list   params           the model parameters
//   tensor list   optimizer_state  SGD velocities, each named after its parameter
//
// A tensor:
//   string        name             e.g. "conv1.weight" (at most 1024 bytes)
//   u32           rank r           1 to 4
//   r x u64       dims             outermost first, each >= 1
//   n x f32       values           n = product of dims, row-major (NCHW for images)
//
// Saving is atomic (write_file_atomically in core/file_io.hpp): the bytes go to a temporary file beside the
// target, are flushed to disk, and the file is renamed over the target, so that a crash at any moment leaves
// either the old checkpoint or the new one (plus, at worst, a stale "<path>.tmp.<pid>"). Loading checks every count and size against the bytes that
// remain before allocating, and the CRC before parsing; any defect is a one-line minicnn::Error.
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "models/sgd.hpp"

namespace minicnn {

inline constexpr uint32_t kCheckpointVersion = 1;

struct NamedTensor {
  std::string name;
  Tensor<float> tensor;
};

struct Checkpoint {
  std::string config_json;
  std::string metadata_json;
  int64_t epoch = 0;
  Rng::State rng_state{};
  std::vector<NamedTensor> params;
  std::vector<NamedTensor> optimizer_state;
};

// Writes the checkpoint atomically (see above). Throws Error naming the file when a tensor cannot be stored
// (no axes, an empty axis, an overlong name) or the file cannot be created, SystemFailure when a write fails
// part way (a full disk); the previous file is then unchanged.
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Reads and verifies a checkpoint. Throws Error naming the file and the defect.
Checkpoint load_checkpoint(const std::string& path);

// Copies of the network's parameter values, and of SGD's velocities, each named after its parameter.
std::vector<NamedTensor> capture_params(const std::vector<Param<float>*>& params);
std::vector<NamedTensor> capture_velocities(const std::vector<Param<float>*>& params, Sgd<float>& sgd);

// Copy the checkpoint's tensors into the network's parameters, or into SGD's velocities, matching them by
// name. The saved names must be exactly the network's, each with the same shape; otherwise they throw Error
// (naming path, the checkpoint's file) and change nothing.
void restore_params(const Checkpoint& checkpoint, const std::vector<Param<float>*>& params,
                    const std::string& path);
void restore_velocities(const Checkpoint& checkpoint, const std::vector<Param<float>*>& params,
                        Sgd<float>& sgd, const std::string& path);

}  // namespace minicnn

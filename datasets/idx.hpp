#pragma once
// The IDX files of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist), plain or gzip-compressed. A file is a
// big-endian header, then its values in row-major order:
//
//   bytes 0-3   magic: 0x00 0x00, value type 0x08 (unsigned byte), number of dimensions D
//   then        D sizes, one uint32 each
//
// Images have magic 2051 (0x00000803): 3 dimensions [N, rows, cols]. Labels have magic 2049 (0x00000801):
// 1 dimension [N]. Every size and count is checked against what the file really holds before anything of
// the claimed size is allocated; any fault is an Error naming the file.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.hpp"
#include "datasets/dataset.hpp"

namespace minicnn {

enum class Split { Train, Test };

// The standard file names of a split, without ".gz": "train-images-idx3-ubyte" or "t10k-labels-idx1-ubyte".
std::string idx_images_name(Split split);
std::string idx_labels_name(Split split);

// One split of the data set in `directory`, which holds the split's two standard files, each plain or with
// ".gz" (the dotted spelling "train-images.idx3-ubyte" is accepted too). Images come out as
// [N, 1, rows, cols] bytes. With classes = 0 the number of classes is 10, or the largest label
// + 1 when that is more; with classes > 0 every label must be below it. class_names come from
// known_class_names().
Dataset load_idx_split(const std::string& directory, Split split, int classes = 0);

// One IDX file: images as [N, 1, rows, cols] bytes; labels as they are.
Tensor<uint8_t> read_idx_images(const std::string& path);
std::vector<int32_t> read_idx_labels(const std::string& path);

// Writes an IDX file, gzip-compressed when the name ends in ".gz". Images are [N, 1, rows, cols] bytes;
// labels must be in [0, 255]. Throws Error on values or shapes IDX cannot hold.
void write_idx(const std::string& path, const Tensor<uint8_t>& images);
void write_idx(const std::string& path, std::span<const int32_t> labels);
// Writes both files of a split under their standard names (with ".gz" when compressed), creating the
// directory if needed.
void write_idx_split(const std::string& directory, Split split, const Dataset& data, bool compressed);

}  // namespace minicnn

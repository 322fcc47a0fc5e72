#pragma once
// Which layer of a network a command means: `--layer conv2` by name, or `--layer 3` by its place in the
// config's "layers" list (counted from 0, as config errors count: "layers[3]").
#include <cstddef>
#include <optional>
#include <string>

#include "models/sequential.hpp"

namespace minicnn {

// The index of the first convolution layer, if there is one.
std::optional<size_t> first_conv_layer(const Sequential<float>& net);

// The layer `spec` names; an empty spec means the first convolution. Throws Error listing the layers when
// nothing matches (or when the network has no convolution and spec is empty).
size_t choose_layer(const Sequential<float>& net, const std::string& spec);

// "conv1, relu1, maxpool1 (layers[0] to layers[2])": the layers to choose from, for error messages.
std::string layer_choices(const Sequential<float>& net);

}  // namespace minicnn

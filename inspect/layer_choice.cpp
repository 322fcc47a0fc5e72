#include "inspect/layer_choice.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "layers/conv2d.hpp"

namespace minicnn {

std::optional<size_t> first_conv_layer(const Sequential<float>& net) {
  for (size_t i = 0; i < net.size(); ++i)
    if (dynamic_cast<const Conv2d<float>*>(&net.layer(i)) != nullptr) return i;
  return std::nullopt;
}

std::string layer_choices(const Sequential<float>& net) {
  std::string names;
  for (size_t i = 0; i < net.size(); ++i) names += (i ? ", " : "") + net.layer(i).name;
  return names + " (layers[0] to layers[" + std::to_string(net.size() - 1) + "])";
}

size_t choose_layer(const Sequential<float>& net, const std::string& spec) {
  if (spec.empty()) {
    if (const std::optional<size_t> conv = first_conv_layer(net)) return *conv;
    throw Error("the network has no convolution layer; its layers: " + layer_choices(net));
  }
  for (size_t i = 0; i < net.size(); ++i)
    if (net.layer(i).name == spec) return i;
  const bool digits = spec.size() <= 9 && std::all_of(spec.begin(), spec.end(), [](unsigned char c) { return std::isdigit(c); });
  if (digits && std::stoul(spec) < net.size()) return std::stoul(spec);
  throw Error("no layer '" + spec + "'; the layers are " + layer_choices(net));
}

}  // namespace minicnn

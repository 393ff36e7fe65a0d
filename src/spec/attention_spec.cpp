#include "spec/attention_spec.h"

#include <algorithm>
#include <sstream>

#include "spec/design.h"

namespace lpusim {

const AttentionLayerPath& AttentionSpec::path(int layer) const {
  auto it = overrides.find(layer);
  return it == overrides.end() ? base : it->second;
}

std::string attention_resolved_yaml(const AttentionSpec& a) {
  if (!a.present) return "";
  std::ostringstream os;
  os << "attention:\n  engine: " << a.engine << "\n  scores: " << a.base.scores << "\n  softmax: " << a.base.softmax
     << "\n  context: " << a.base.context << "\n  kv_cache: " << a.kv_cache << "\n";
  if (!a.overrides.empty()) {
    os << "  layer_overrides:\n";
    for (const auto& kv : a.overrides) {
      os << "    - {layers: [" << kv.first << "], scores: " << kv.second.scores << ", softmax: " << kv.second.softmax
         << ", context: " << kv.second.context << "}\n";
    }
  }
  return os.str();
}

const UnitSpec* attention_engine(const DesignSpec& d) {
  if (!d.attention.present) return nullptr;
  for (const auto& u : d.units) {
    if (u.name == d.attention.engine) return &u;
  }
  return nullptr;
}

}  // namespace lpusim

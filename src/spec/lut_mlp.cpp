#include "spec/lut_mlp.h"

#include <sstream>

#include "base/config_error.h"

namespace lpusim {

uint64_t lut_block_sram_bits(const lut::LutNetwork& n) { return n.table_bits() + n.threshold_bits(); }
uint64_t lut_block_value_bits(const lut::LutNetwork& n) { return n.value_bits(); }

uint64_t lut_mlp_bytes(const LutMlpSpec& s) {
  uint64_t b = 0;
  for (const auto& n : s.nets) b += (lut_block_sram_bits(*n) + lut_block_value_bits(*n) + 7) / 8;
  return b;
}

std::string lut_lookup_op_name(size_t i, size_t layers) {
  return layers == 1 ? "lut_lookup" : "lut_lookup" + std::to_string(i);
}

std::string lut_mlp_yaml(const LutMlpSpec& s) {
  std::ostringstream os;
  if (!s.enabled) return "";
  os << "\n  mlp:\n    kind: lut\n    thermometer_bits: " << s.therm_bits << "\n    thresholds: " << s.thresholds
     << "\n    layers:";
  for (const auto& l : s.layers) {
    os << "\n      - {luts: " << l.luts << ", inputs_per_lut: " << l.inputs << ", entry_bits: " << l.entry_bits << "}";
  }
  const char* out = s.output == lut::SumKind::CondInt8   ? "conditional_sum_int8"
                    : s.output == lut::SumKind::GroupSum ? "group_sum"
                                                         : "conditional_sum_fp16";
  os << "\n    output: " << out << "\n    tables: \"" << s.tables << "\"\n    seed: " << s.seed;
  return os.str();
}

}  // namespace lpusim

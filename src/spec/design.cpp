#include "spec/design.h"

#include <algorithm>
#include <sstream>
#include <utility>

namespace lpusim {

const UnitSpec* DesignSpec::first_with(Capability c) const {
  for (const auto& u : units) {
    const UnitInfo* info = UnitRegistry::instance().find(u.impl);
    if (info && info->caps.count(c)) return &u;
  }
  return nullptr;
}

std::string DesignSpec::resolved_yaml() const {
  std::ostringstream os;
  os.precision(17);
  os << "# Fully resolved design as simulated (source: " << file << ")\n";
  os << "name: " << name << "\n";
  os << "description: \"" << description << "\"\n";
  os << "budget: \"" << budget << "\"\n";
  os << "clock_ghz: " << clock_ghz << "\n";
  os << "tech: " << tech_node << "  # " << tech.file << "\n";
  os << "units:\n";
  for (const auto& u : units) {
    os << "  " << u.name << ":\n    impl: " << u.impl << "\n";
    // Every declared parameter, defaults included: integers, numbers, bools, enums, lists, each by key.
    const UnitInfo* info = UnitRegistry::instance().find(u.impl);
    std::vector<ParamDoc> params = info ? info->params : std::vector<ParamDoc>{};
    std::stable_sort(params.begin(), params.end(), [](const ParamDoc& a, const ParamDoc& b) {
      return std::make_pair(static_cast<int>(a.type), a.key) < std::make_pair(static_cast<int>(b.type), b.key);
    });
    for (const ParamDoc& p : params) {
      os << "    " << p.key << ": ";
      switch (p.type) {
        case ParamType::Int: os << u.i(p.key); break;
        case ParamType::Double: os << u.d(p.key); break;
        case ParamType::Bool: os << (u.b(p.key) ? "true" : "false"); break;
        case ParamType::Enum: os << u.e(p.key); break;
        case ParamType::StringList: {
          const auto& items = u.list(p.key);
          os << "[";
          for (size_t i = 0; i < items.size(); ++i) os << (i ? ", " : "") << items[i];
          os << "]";
          break;
        }
      }
      os << "\n";
    }
  }
  os << "buffers:\n";
  for (const BufferSpec* b : {&weight_buffer, &activation_buffer}) {
    os << "  " << b->name << ": {size_kib: " << b->size_kib << ", banks: " << b->banks << ", ports: " << b->ports
       << ", width_bits: " << b->width_bits << "}\n";
  }
  os << "dram:\n" << dram.resolved_yaml("  ");
  os << attention_resolved_yaml(attention);
  os << "mapper: {objective: " << mapper_objective << ", tiling: " << mapper_tiling << "}\n";
  os << "resolved_energy_pj:  # from " << tech.file << "\n";
  for (const auto& kv : tech.event_pj) os << "  " << kv.first << ": " << kv.second << "\n";
  for (const BufferSpec* b : {&weight_buffer, &activation_buffer}) {
    const SramClass& c = tech.sram_class(b->size_kib);
    os << "  sram_" << b->name << "_read_pj_per_bit: " << c.read_pj_per_bit << "\n";
    os << "  sram_" << b->name << "_write_pj_per_bit: " << c.write_pj_per_bit << "\n";
  }
  os << "  dram_activate_pj: " << dram.e_act_pj << "  # from " << dram.preset_file << "\n";
  os << "  dram_precharge_pj: " << dram.e_pre_pj << "\n";
  os << "  dram_read_burst_pj: " << dram.e_rd_pj << "\n";
  os << "  dram_write_burst_pj: " << dram.e_wr_pj << "\n";
  os << "  dram_static_uw_per_channel: " << dram.static_uw_per_channel() << "  # background + refresh\n";
  return os.str();
}

}  // namespace lpusim

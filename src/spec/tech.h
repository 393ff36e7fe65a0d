// Validated energy table of one technology node (configs/tech/<node>.yaml).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "base/energy.h"

namespace lpusim {

struct SramClass {
  double max_kib;
  double read_pj_per_bit;
  double write_pj_per_bit;
  std::string source;
};

struct TechTable {
  std::string file;
  std::string node;
  std::string description;
  std::map<std::string, double> event_pj;  // int8_add ... register_file_bit
  std::map<std::string, std::string> event_source;
  std::vector<SramClass> sram;                             // ascending max_kib
  std::map<std::string, double> leakage_uw;                // ternary_pe, int8_pe, fp16_pe, vector_lane, sram_kib
  std::map<std::string, double> area_um2;                  // primitives and fixed blocks, um^2 (see `area`)
  std::vector<std::pair<double, double>> sram_efficiency;  // (max_kib, bit-cell area / macro area), ascending
  std::map<std::string, std::string> sources;              // "section.key" -> source, for the resolved config

  // Prices of arithmetic events (SRAM/DRAM entries left at zero).
  EventPrices arithmetic_prices() const;
  const SramClass& sram_class(double size_kib) const;
  double leak(const std::string& key) const;
  double area(const std::string& key) const;  // um^2 of one primitive or block
  double sram_array_efficiency(double size_kib) const;
};

}  // namespace lpusim

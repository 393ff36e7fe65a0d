#include "spec/tech.h"

#include "base/config_error.h"

namespace lpusim {

double TechTable::area(const std::string& key) const { return area_um2.at(key); }

double TechTable::sram_array_efficiency(double size_kib) const {
  for (const auto& c : sram_efficiency) {
    if (size_kib <= c.first) return c.second;
  }
  throw ConfigError(file + ": area.sram_array_efficiency: no class covers a " + std::to_string(size_kib) +
                    " KiB buffer");
}

EventPrices TechTable::arithmetic_prices() const {
  EventPrices p;
  p[Ev::Int8Add] = event_pj.at("int8_add");
  p[Ev::Int8Mul] = event_pj.at("int8_mul");
  p[Ev::Int32Add] = event_pj.at("int32_add");
  p[Ev::Fp16Add] = event_pj.at("fp16_add");
  p[Ev::Fp16Mul] = event_pj.at("fp16_mul");
  p[Ev::Fp32Add] = event_pj.at("fp32_add");
  p[Ev::Fp32Mul] = event_pj.at("fp32_mul");
  p[Ev::PopcountBit] = event_pj.at("popcount_bit");
  p[Ev::RegFileBit] = event_pj.at("register_file_bit");
  p[Ev::GatedSlot] = event_pj.at("gated_slot");
  p[Ev::UnpackPacked2] = event_pj.at("unpack_packed2_weight");
  p[Ev::UnpackBase3Byte] = event_pj.at("unpack_base3_byte");
  p[Ev::IndexDecodeBit] = event_pj.at("index_decode_bit");
  p[Ev::BitLogicBit] = event_pj.at("bit_logic");
  p[Ev::PopcountTreeBit] = event_pj.at("popcount_tree_bit");
  p[Ev::AdderTreeBit] = event_pj.at("adder_tree_bit");
  p[Ev::ScoreAccWriteBit] = event_pj.at("score_acc_write_bit");
  p[Ev::EncoderCompare] = event_pj.at("encoder_compare");
  p[Ev::Fp16Compare] = event_pj.at("fp16_compare");
  return p;
}

const SramClass& TechTable::sram_class(double size_kib) const {
  for (const auto& c : sram) {
    if (size_kib <= c.max_kib) return c;
  }
  throw ConfigError(file + ": no SRAM size class covers a " + std::to_string(size_kib) +
                    " KiB buffer (largest class is " + std::to_string(sram.back().max_kib) + " KiB)");
}

double TechTable::leak(const std::string& key) const { return leakage_uw.at(key); }

}  // namespace lpusim

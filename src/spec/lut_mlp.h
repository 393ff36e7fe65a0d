// Workload side of weightless MLPs (QuWeiT): `model.mlp: {kind: lut, ...}` replaces every block's
// MAC-based MLP by a DWN network (thermometer encoder, LUT layers, conditional sum / GroupSum).
// The networks (one per transformer layer) are generated with a seed or loaded from .lutnet files.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datapath/lut_layer.h"

namespace lpusim {

struct LutMlpSpec {
  bool enabled = false;  // false: the model's MAC-based MLP (no `mlp` key, or kind: mac)
  uint32_t therm_bits = 0;
  std::string thresholds;  // uniform | quantile (generated networks)
  std::vector<lut::GenLayer> layers;
  lut::SumKind output = lut::SumKind::CondFp16;
  std::string tables;  // "generate", or a .lutnet path (resolved; "{layer}" is replaced by the layer index)
  uint64_t seed = 0;
  std::vector<std::shared_ptr<const lut::LutNetwork>> nets;  // one per transformer layer
};

std::string lut_mlp_yaml(const LutMlpSpec& s);  // for the resolved workload

// Stored bits of one block: tables + thresholds (LUT SRAM) and conditional-sum values (DRAM, like weights).
uint64_t lut_block_sram_bits(const lut::LutNetwork& n);
uint64_t lut_block_value_bits(const lut::LutNetwork& n);
// Stored bytes of all blocks (tables, thresholds, conditional-sum values and bias).
uint64_t lut_mlp_bytes(const LutMlpSpec& s);
// Graph op name of LUT layer i.
std::string lut_lookup_op_name(size_t i, size_t layers);

}  // namespace lpusim

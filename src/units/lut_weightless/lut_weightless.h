// lut_weightless: a DWN / QuWeiT weightless unit. Thermometer encoder (FP16 comparators), LUT SRAM
// (banks x ports, word-wide reads) serving lookups whose addresses come from running the real
// network (datapath/lut_layer.h) on the tile's activations, and a conditional-sum (adders)
// or GroupSum (popcount) output stage. The cost pieces are free functions so tests and the compiler
// use exactly what the unit simulates.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "datapath/lut_layer.h"
#include "units/compute_unit.h"
#include "units/lut_weightless/lut_params.h"

namespace lpusim {

// Bank of the LUT SRAM word holding entry `a` of LUT `l` (each layer's tables start at bit 0, bank 0).
uint64_t lut_bank(const LutUnitParams& p, const lut::LutLayer& L, uint64_t l, uint32_t a);

// In-order issue of `lookups_per_cycle` requests per group (token-major, LUT-minor); a group takes
// max(1, max over banks of ceil(requests to that bank / ports)) cycles. No merging of equal words.
struct LookupSchedule {
  uint64_t requests = 0, cycles = 0, stall_cycles = 0;  // stall = cycles - ceil(requests / lookups_per_cycle)
};
LookupSchedule schedule_lookups(const LutUnitParams& p, const lut::LutLayer& L, const std::vector<uint32_t>& addr);

// Full cost of a LUT tile; `stalls` (optional) receives the bank-conflict stall cycles.
// `inputs`: the tile's activations (m x features fp16); empty = synthetic from t.lut_seed.
TileCost lut_tile_cost(const LutUnitParams& p, const Tile& t, uint64_t* stalls = nullptr,
                       const std::vector<uint16_t>& inputs = {});

// Silicon area from primitives (um^2 each): LUT SRAM bit cells / array efficiency, one FP16
// comparator per `comparators` (~ a 16-bit adder = 2 int8 adders), sum lanes (fp16_add or int32_add),
// an input crossbar of lookups_per_cycle x word_bits register bits.
struct LutAreaPrimitives {
  double sram_bitcell = 0, sram_efficiency = 1, int8_add = 0, int32_add = 0, fp16_add = 0, register_bit = 0;
};
double lut_weightless_area_um2(const LutUnitParams& p, const LutAreaPrimitives& a);

}  // namespace lpusim

// A lowered program: per graph op, the unit it runs on and its tiles. A tile is the unit of
// simulation: one SystemC event per tile operation, its cycles from the unit's closed form.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace lpusim {

namespace lut {
struct LutNetwork;
}

struct Tile {
  uint32_t op = 0;    // index into Program::ops
  uint32_t unit = 0;  // index into DesignSpec::units
  OpKind kind = OpKind::Vector;

  // GEMM tile: (m x k) activations times (k x n) stationary operand.
  uint64_t m = 0, k = 0, n = 0;
  uint32_t a_bits = 16, w_bits = 16, acc_bits = 32, out_bits = 16;
  uint64_t w_nonzero = 0;     // nonzero weights in this k x n block (from the IWeightSource)
  uint64_t w_block_bits = 0;  // bits of the k x n stationary block as stored (format, indices)
  uint32_t w_group = 0;       // integer weights: K rows per weight scale (int4 groups); 0 = one scale per column
  // Zero skipping: per column fold of the array (ceil(n / cols) entries), the nonzeros of its
  // densest column, i.e. the streaming cycles of that fold. Shared by tiles of the same block.
  std::shared_ptr<const std::vector<uint32_t>> nfold_stream;
  bool first_k = true, last_k = true;  // partial sums re-read / outputs written back
  bool a_unsigned = false;             // popcount engine: the a-side code is unsigned (softmax probabilities)
  uint64_t a_reuse = 1;                // times the array streams this tile's activations (folds along N)
  uint64_t w_reuse = 1;                // times it streams the weights (folds along M)

  // Vector tile.
  VecOp vop = VecOp::Add;
  uint64_t elements = 0;
  int in_operands = 1;

  // DRAM traffic of this tile. Loads go DRAM -> SRAM before compute; stores SRAM -> DRAM after.
  uint64_t load_weight_bytes = 0;        // stationary operand (weights or KV cache) into the weight buffer
  uint64_t load_act_bytes = 0;           // activations into the activation buffer
  uint64_t store_bytes = 0;              // outputs (spilled activations, KV cache appends) to DRAM
  bool load_depends_on_prev_op = false;  // activation/KV data produced by earlier ops

  // LUT tile (lut_weightless): one stage of a weightless block over m tokens (sum stage: n outputs).
  const lut::LutNetwork* lut = nullptr;  // owned by the workload's LutMlpSpec
  LutStage lut_stage = LutStage::Encode;
  uint32_t lut_index = 0;        // LUT layer (lookup stage)
  uint64_t lut_seed = 0;         // seeds the token chunk's synthetic activations (same for all its stages)
  uint64_t lut_stream_bits = 0;  // tables/thresholds written into the LUT SRAM first (stream_from_dram)
  // DRAM byte addresses of the three transfers (compiler/dram_layout.h): each is a contiguous range.
  uint64_t load_weight_addr = 0, load_act_addr = 0, store_addr = 0;
};

// How the compiler's mapper (compiler/mapper.h) laid a GEMM op out, and the limits it implies; the
// report labels each op with the bound it hits from these and the simulated cycles.
struct OpMapping {
  bool searched = false;       // chosen by the mapper (false: the fixed tiling of the vector path)
  std::string loop_order;      // "m_outer" | "n_outer" | "k_middle" (compiler/mapper.h)
  std::string split = "none";  // over several arrays: "by_n" | "by_m" | "none"
  std::string objective;       // the design's mapper objective
  uint32_t depth = 2;          // tiles in flight per array (2 = double buffering)
  uint32_t arrays = 1;
  uint64_t tm = 0, tk = 0, tn = 0;
  uint64_t nb = 0;                     // k_middle: the width of the N block whose partial sums stay (0: all of N)
  uint64_t dram_bytes = 0;             // DRAM bytes the tiles move (loads and stores)
  uint64_t compulsory_dram_bytes = 0;  // each operand moved once: weights, spilled inputs, spilled outputs
  double compute_cycles = 0;           // array closed-form cycles of the mapping, arrays in parallel
  double sram_cycles = 0;              // SRAM port cycles of its operand streams
  double fill_cycles = 0;              // first load + last tile, not overlapped
  double est_cycles = 0;               // the mapper's estimate
  bool cache_hit = false;
  std::string describe() const {
    std::string s = loop_order + " tm " + std::to_string(tm) + " tk " + std::to_string(tk) + " tn " +
                    std::to_string(tn) + " depth " + std::to_string(depth);
    if (nb) s += " nb " + std::to_string(nb);
    if (arrays > 1) s += " split " + split + " over " + std::to_string(arrays);
    return s;
  }
};

struct ProgramOp {
  Op op;
  uint32_t unit = 0;
  std::string unit_name;
  std::string note;       // how the op was mapped (fallbacks, precision on this design)
  uint32_t stat_key = 0;  // index into Program::keys (phase, layer, name)
  uint32_t first_tile = 0, num_tiles = 0;
  bool out_on_chip = true;
  uint32_t window = 2;  // tiles whose loads may be in flight: 2 per buffer slot set (double buffering)
                        // times the arrays sharing the op
  OpMapping mapping;    // GEMM ops: the chosen mapping and its limits
};

// Aggregation key for statistics: one per (phase, layer, op name).
struct StatKey {
  Phase phase;
  int layer;
  std::string name;
};

struct Program {
  std::vector<ProgramOp> ops;
  std::vector<Tile> tiles;
  std::vector<StatKey> keys;
};

}  // namespace lpusim

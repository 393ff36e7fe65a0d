// The mapper: for one GEMM op on one design it searches the mapping space and returns the best
// mapping by the design's objective (`mapper: {objective: latency | energy | edp}`, latency by
// default). The space:
//  - loop order: m_outer (M outermost: the activation rows stay on chip across the N tiles, the
//    weights are re-streamed for every row tile) or n_outer (N outermost: a weight block stays on chip
//    while every row tile streams through it, the activations are re-streamed for every column tile);
//    the K chain of an output tile is innermost (its partial sums stay on chip) in both; or k_middle
//    (M outermost, then K, then N: the partial sums of a whole row block, tm x N, stay in the activation
//    buffer while K advances, so each activation block is loaded once and the weights once per row
//    block; this keeps a K-split op at its compulsory activation traffic when full-K rows do not fit),
//    optionally inside an outer loop over N blocks of width nb (the activations then load once per
//    block), so that the partial sums of tm x nb fit where those of tm x N do not;
//  - tile sizes tm, tk, tn under the buffer capacities: `depth` tiles in flight per array (depth 2 =
//    double buffering, 1 = load and compute in turn); per array (1/arrays of each buffer) `depth`
//    copies of the tk x tn stored weight block, of the tm x tk activation block and of the tm x tn
//    accumulators, except that a block that is the same for the whole op (all of N and K, or all of M
//    and K) is loaded once and kept in one copy, and a K chain of several tiles keeps one partial-sum
//    block that its tiles update in place; K is split when a full-K block does not fit or a split
//    moves fewer bytes;
//  - the split over several arrays of the chosen kind: output tiles' K chains go, in loop order, to the
//    array that finishes first, so consecutive chains run side by side: by N under m_outer (the arrays
//    share the activation rows), by M under n_outer (they share the weight block);
//  - the double-buffering depth (1 or 2).
// Each candidate is scored with the units' own closed forms (datapath/systolic.h for the array cycles,
// add_systolic_sram_traffic for the SRAM port time) plus the DRAM bytes its loop order implies:
//   cycles ~ max(array cycles stretched by SRAM ports, DRAM bytes / peak bytes per cycle) + fill
// (depth 2; depth 1 adds compute and DRAM time), fill = the first tile's load + the last tile's compute.
//   energy ~ DRAM bytes x (burst + activate energy per byte) + SRAM bits x pJ/bit + leakage x cycles
// (arithmetic energy does not depend on the mapping). Candidates within 2% of the best score are
// compared by the other measure (latency objective: energy, i.e. mostly DRAM bytes); exact ties keep
// the first candidate in a fixed order, so the search is deterministic. Results are cached by (unit, shape, precision,
// buffer state).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "datapath/systolic.h"
#include "ir/program.h"
#include "spec/design.h"

namespace lpusim {

enum class MapperObjective { Latency, Energy, Edp };
MapperObjective parse_mapper_objective(const std::string& s);  // "latency" | "energy" | "edp"
const char* mapper_objective_name(MapperObjective o);

enum class LoopOrder { MOuter, NOuter, KMiddle };
const char* loop_order_name(LoopOrder o);  // "m_outer" | "n_outer" | "k_middle"

// One GEMM op: `count` independent GEMMs of (M x K) x (K x N) (count > 1: attention heads, each with
// its own stationary operand).
struct GemmProblem {
  uint64_t M = 0, K = 0, N = 0, count = 1;
  double a_bits = 16, w_bits = 16;  // w_bits: stored bits per stationary element (may be fractional)
  uint32_t acc_bits = 32, out_bits = 16;
  bool in_on_chip = false;     // the activations are already in the activation buffer
  bool out_on_chip = true;     // the outputs stay there (else each is stored to DRAM once)
  bool shared_weights = true;  // the count GEMMs share one weight matrix (false: KV slices)
};

// What the mapper knows of the design for one unit kind.
struct MapperTarget {
  std::vector<ArrayShape> arrays;                   // the arrays of the chosen kind (1 or more)
  uint64_t wbuf_bits = 0, abuf_bits = 0;            // whole buffers
  uint64_t wbuf_port_bits = 1, abuf_port_bits = 1;  // bits per cycle of one port across all banks
  int64_t abuf_ports = 2;
  double dram_bytes_per_cycle = 1;  // sustained (memory/dram_roof.h), all channels
  double dram_pj_per_byte = 0;      // read burst + activate share per byte
  double wbuf_pj_per_bit = 0, abuf_read_pj_per_bit = 0, abuf_write_pj_per_bit = 0;
  double leakage_pj_per_cycle = 0;
  MapperObjective objective = MapperObjective::Latency;
  bool whole = false;  // one tile per GEMM when the buffers hold it (`mapper: {tiling: whole}`)
  int unit = 0;        // cache key: the first array's unit index
};

// The mapper's view of a design for the arrays of one kind; the array shape of a unit.
MapperTarget make_mapper_target(const DesignSpec& d, const std::vector<const UnitSpec*>& arrays);
ArrayShape array_shape(const UnitSpec& u);
double design_leakage_uw(const DesignSpec& d);  // PEs, vector lanes and SRAM, from the tech table

struct GemmMapping {
  LoopOrder order = LoopOrder::MOuter;
  uint32_t depth = 2;
  uint64_t tm = 0, tk = 0, tn = 0;
  uint64_t nb = 0;  // k_middle: N block width, a multiple of tn (0: all of N)
  uint32_t arrays = 1;
  // Estimates for the whole op (all `count` GEMMs).
  double compute_cycles = 0;  // array closed-form cycles, over the arrays running in parallel
  double sram_cycles = 0;     // SRAM port cycles of the operand streams, same parallelism
  double dram_cycles = 0;     // dram_bytes / peak bytes per cycle
  double fill_cycles = 0;     // not overlapped: the first tile's load and the last tile's compute
  double cycles = 0;          // the estimate the objective uses
  double energy_pj = 0;       // mapping-dependent energy (DRAM, SRAM, leakage)
  uint64_t dram_bytes = 0, compulsory_bytes = 0, sram_bytes = 0;
  uint64_t candidates = 0;  // candidates scored for this mapping's search
  bool cache_hit = false;
  std::string split() const;     // "none" | "by_n" | "by_m"
  std::string describe() const;  // the label reports use (ir/program.h OpMapping::describe)
  OpMapping record() const;      // what the program keeps of it
};

// Scores one mapping (fills the estimates); `ok` false when it does not fit the buffers.
GemmMapping score_mapping(const GemmProblem& p, const MapperTarget& t, LoopOrder order, uint32_t depth, uint64_t tm,
                          uint64_t tk, uint64_t tn, bool& ok, uint64_t nb = 0);

// DRAM bytes one mapping moves (loads and stores), and each operand moved once.
uint64_t mapping_dram_bytes(const GemmProblem& p, LoopOrder order, uint64_t tm, uint64_t tk, uint64_t tn,
                            uint64_t nb = 0);
uint64_t compulsory_dram_bytes(const GemmProblem& p);

class Mapper {
 public:
  // The best mapping; throws ConfigError (with `what`) when no tile fits the buffers.
  GemmMapping map(const GemmProblem& p, const MapperTarget& t, const std::string& what);
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  using Key = std::tuple<int, int, uint64_t, uint64_t, uint64_t, uint64_t, double, double, uint32_t, uint32_t, int>;
  std::map<Key, GemmMapping> cache_;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace lpusim

#include "compiler/capacity.h"

#include "compiler/compiler.h"

#include <algorithm>

namespace lpusim {

namespace {
bool fits(const WorkloadSpec& w, const DesignSpec& d, int64_t batch, uint64_t capacity) {
  WorkloadSpec b = w;
  b.scenario.batch = batch;
  return footprint(b, d).peak() <= capacity;
}

// Context `ctx` as a prefill of ctx tokens and no decode: the same KV cache and a larger activation
// working set than any decode step reaching that context.
bool context_fits(const WorkloadSpec& w, const DesignSpec& d, int64_t ctx, uint64_t capacity) {
  WorkloadSpec c = w;
  c.scenario.prompt_tokens = ctx;
  c.scenario.generated_tokens = 1;
  return footprint(c, d).peak() <= capacity;
}
}  // namespace

namespace {

// The largest n >= 1 with fits(n), for a monotone predicate: 0 when even 1 does not fit. Doubles
// until it no longer fits (or reaches 2^40), then bisects.
template <typename Fits>
int64_t largest_fitting(Fits fits) {
  if (!fits(1)) return 0;
  int64_t lo = 1, hi = 2;
  while (hi < (int64_t{1} << 40) && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo;
}

uint64_t capacity_bytes(const DesignSpec& d) {
  return static_cast<uint64_t>(d.dram.capacity_gib * 1024.0 * 1024.0 * 1024.0);
}

}  // namespace

int64_t max_batch_in_dram(const WorkloadSpec& w, const DesignSpec& d) {
  if (d.dram.capacity_gib <= 0) return -1;
  // Peak memory grows monotonically with the batch.
  return largest_fitting([&](int64_t b) { return fits(w, d, b, capacity_bytes(d)); });
}

int64_t max_context_in_dram(const WorkloadSpec& w, const DesignSpec& d) {
  if (d.dram.capacity_gib <= 0 || w.model.encoder()) return -1;
  return largest_fitting([&](int64_t c) { return context_fits(w, d, c, capacity_bytes(d)); });
}

BufferOccupancy peak_buffer_occupancy(const Program& p) {
  BufferOccupancy b;
  for (const ProgramOp& po : p.ops) {
    uint64_t w = 0, a = 0, a_in = 0, a_out = 0;
    bool gemm = false, k_split = false, one_w = po.op.gemm_count == 1, one_a = po.op.gemm_count == 1;
    for (uint32_t i = po.first_tile; i < po.first_tile + po.num_tiles; ++i) {
      const Tile& t = p.tiles[i];
      if (t.kind == OpKind::Gemm) {
        gemm = true;
        w = std::max(w, (t.w_block_bits + 7) / 8);
        a_in = std::max(a_in, (t.m * t.k * t.a_bits + 7) / 8);
        a_out = std::max(a_out, (t.m * t.n * std::max(t.acc_bits, t.out_bits) + 7) / 8);
        one_w = one_w && t.n == po.op.N && t.k == po.op.K;  // one weight block for the whole op
        one_a = one_a && t.m == po.op.M && t.k == po.op.K;  // one activation block
        k_split = k_split || !t.last_k;
      } else {
        w = std::max(w, t.load_weight_bytes);  // gathered embedding rows
        a = std::max(a, (t.elements * (static_cast<uint64_t>(t.in_operands) * 16 + t.out_bits) + 7) / 8);
      }
    }
    const uint64_t in_flight = std::min<uint64_t>(po.window, po.num_tiles);
    if (gemm) {
      // A block loaded once for the whole op stays in one copy (compiler/mapper.h); blocks that change
      // have one copy per tile in flight; K chains update one partial-sum block in place.
      const uint64_t w_copies = one_w ? 1 : in_flight;
      const uint64_t a_copies = one_a ? 1 : in_flight;
      // Under k_middle the partial sums of every output tile of a row block stay (tm x N in all).
      const uint64_t block = po.mapping.nb ? po.mapping.nb : po.op.N;
      const uint64_t row_tiles = po.mapping.tn ? (block + po.mapping.tn - 1) / po.mapping.tn : 1;
      const uint64_t acc_copies = po.mapping.loop_order == "k_middle" ? row_tiles
                                  : k_split                           ? std::max<uint64_t>(1, po.mapping.arrays)
                                                                      : in_flight;
      b.weight_bytes = std::max(b.weight_bytes, w_copies * w);
      b.activation_bytes = std::max(b.activation_bytes, a_copies * a_in + acc_copies * a_out);
    } else {
      b.weight_bytes = std::max(b.weight_bytes, in_flight * w);
      b.activation_bytes = std::max(b.activation_bytes, in_flight * a);
    }
  }
  return b;
}

}  // namespace lpusim

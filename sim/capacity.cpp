#include "sim/capacity.h"

#include "sim/compiler.h"

namespace lpusim {

namespace {
bool fits(const WorkloadSpec& w, const DesignSpec& d, int64_t batch, uint64_t capacity) {
  WorkloadSpec b = w;
  b.scenario.batch = batch;
  return footprint(b, d).peak() <= capacity;
}
}  // namespace

int64_t max_batch_in_dram(const WorkloadSpec& w, const DesignSpec& d) {
  if (d.dram.capacity_gib <= 0) return -1;
  const uint64_t capacity = static_cast<uint64_t>(d.dram.capacity_gib * 1024.0 * 1024.0 * 1024.0);
  if (!fits(w, d, 1, capacity)) return 0;
  // Peak memory grows monotonically with the batch: double until it no longer fits, then bisect.
  int64_t lo = 1, hi = 2;
  while (fits(w, d, hi, capacity)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (fits(w, d, mid, capacity) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace lpusim

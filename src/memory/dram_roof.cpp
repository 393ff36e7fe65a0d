#include "memory/dram_roof.h"

#include <algorithm>

#include "base/energy.h"
#include "memory/dram_timing.h"

namespace lpusim {

double sustained_read_gb_s(const DramSpec& s) {
  if (s.channels <= 0) return 0;
  // Channel 0's share of a 64 KiB-transfer stream: every transfer queued at once (a saturating
  // closed loop), 64 tREFI long at the peak rate so that refresh weighs as in a long run.
  const DramAddressMapper m(s);
  DramChannelModel ch(s);
  EventCounts ev;
  const uint64_t chunk = 64 * 1024;
  const double peak_bytes_per_ps = s.peak_gb_s_per_channel() * static_cast<double>(s.channels) * 1e-3;
  const uint64_t total = std::max<uint64_t>(
      16 * chunk, static_cast<uint64_t>(64.0 * static_cast<double>(s.tREFI) * peak_bytes_per_ps) / chunk * chunk);
  int64_t end = 0;
  for (uint64_t a = 0; a < total; a += chunk) end = std::max(end, ch.serve(m, a, chunk, 0, false, 0, ev).end_ps);
  if (end <= 0) return 0;
  const double bytes = static_cast<double>(ch.read_bursts * s.burst_bytes()) * static_cast<double>(s.channels);
  return bytes / static_cast<double>(end) * 1e3;  // bytes per ps -> GB/s
}

}  // namespace lpusim

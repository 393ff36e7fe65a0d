// The DRAM roof a mapping can reach: the bandwidth the DRAM model itself sustains on a long
// sequential read stream (all channels, the design's preset, mapping and queues, refresh
// included). Row activates and refresh keep even a perfect stream below the pin peak, so a
// DRAM-bound op is judged against this roof, not against the peak (the empirical roofline idea).
// Plain C++ on the channel model (memory/dram_timing.h): no SystemC, callable any time.
#pragma once
#include "spec/dram_spec.h"

namespace lpusim {

// GB/s over all channels for a sequential read stream long enough to span many refresh intervals.
double sustained_read_gb_s(const DramSpec& s);

}  // namespace lpusim

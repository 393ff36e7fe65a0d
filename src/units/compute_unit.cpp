#include "units/compute_unit.h"

#include "memory/sram_buffer.h"

namespace lpusim {

void add_systolic_sram_traffic(const SystolicTiming& s, const Tile& t, TileCost& c) {
  c.a_read_bits = s.a_reads * t.a_bits + (t.first_k ? 0 : t.m * t.n * t.acc_bits);
  // A stored block (packed or compressed) streams whole, once per weight stream of the dataflow.
  c.w_read_bits = t.w_block_bits > 0 ? t.w_block_bits * s.w_streams : s.w_reads * t.w_bits;
  c.a_write_bits = s.out_writes * (t.last_k ? t.out_bits : t.acc_bits);
}

ComputeUnit::ComputeUnit(sc_core::sc_module_name name, const UnitSpec& spec, const UnitContext& ctx)
    : sc_core::sc_module(name),
      spec_(spec),
      ctx_(ctx),
      events_(ctx.num_keys),
      busy_(ctx.num_keys),
      macs_(ctx.num_keys) {
  SC_HAS_PROCESS(ComputeUnit);
  SC_THREAD(run);
}

void ComputeUnit::submit(const Tile* t, uint32_t key, std::function<void()> done) {
  queue_.push_back({t, key, std::move(done)});
  if (probe_) probe_->queued(queue_.size());
  arrived_.notify(sc_core::SC_ZERO_TIME);
}

void ComputeUnit::run() {
  for (;;) {
    while (queue_.empty()) wait(arrived_);
    Job job = std::move(queue_.front());
    queue_.pop_front();
    const TileCost c = cost(*job.tile);
    const sc_core::sc_time start = sc_core::sc_time_stamp();
    sc_core::sc_time end = start + ctx_.clock * static_cast<double>(c.cycles);
    // Operands stream through SRAM ports while the datapath runs; a busy port stretches the tile.
    // Operands of consecutive tiles sit in alternate halves (double buffering); outputs in the
    // second quarter of the half. Offsets only matter for accesses narrower than all banks.
    auto hold = [&](SramBuffer* b, uint64_t bits, bool write) {
      if (bits == 0 || !b) return;
      const uint64_t half = b->spec().bytes() / 2;
      const uint64_t addr = (tiles_ % 2) * half + (write ? half / 2 : 0);
      sc_core::sc_time port_end = b->reserve(bits, write, job.key, addr);
      if (port_end > end) end = port_end;
    };
    hold(ctx_.weight_buffer, c.w_read_bits, false);
    hold(ctx_.activation_buffer, c.a_read_bits, false);
    hold(ctx_.activation_buffer, c.a_write_bits, true);
    const uint64_t cycles = static_cast<uint64_t>((end - start) / ctx_.clock + 0.5);
    sram_stall_cycles_ += cycles - c.cycles;
    if (probe_) probe_->tile_begin(*job.tile, start, end, queue_.size());
    wait(end - start);
    if (probe_) probe_->tile_end(*job.tile);
    events_[job.key] += c.events;
    busy_[job.key] += cycles;
    macs_[job.key] += c.macs;
    busy_total_ += cycles;
    ++tiles_;
    job.done();
  }
}

std::vector<StatDecl> ComputeUnit::declared_stats() const {
  const UnitInfo* info = UnitRegistry::instance().find(spec_.impl);
  return info ? unit_stats(*info) : compute_unit_stats();
}

void ComputeUnit::collect(ModuleStats& out) const {
  out.kind = spec_.impl;
  out.prices = ctx_.tech->arithmetic_prices();
  out.per_key = events_;
  out.busy_per_key = busy_;
  out.macs_per_key = macs_;
  out.peak_macs_per_cycle = peak_macs_per_cycle();
  out.leakage_uw = leakage_uw();
  out.scalars["tiles"] = static_cast<double>(tiles_);
  out.scalars["busy_cycles"] = static_cast<double>(busy_total_);
  out.scalars["sram_stall_cycles"] = static_cast<double>(sram_stall_cycles_);
}

}  // namespace lpusim

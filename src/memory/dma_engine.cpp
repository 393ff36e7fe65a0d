#include "memory/dma_engine.h"

namespace lpusim {

DmaEngine::DmaEngine(sc_core::sc_module_name name, Dram& dram) : sc_core::sc_module(name), dram_(dram) {
  SC_HAS_PROCESS(DmaEngine);
  SC_THREAD(fire);
}

void DmaEngine::at(sc_core::sc_time t, std::function<void()> fn) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (t <= now) {
    fn();
    return;
  }
  pending_.push({t, seq_++, std::move(fn)});
  wake_.notify(t - now);
}

uint64_t DmaEngine::slot_offset(SramBuffer& b, bool output) {
  // Fills alternate between the two halves (double buffering); drains read the output quarter.
  uint64_t& n = slots_[&b];
  const uint64_t half = b.spec().bytes() / 2;
  return (n++ % 2) * half + (output ? half / 2 : 0);
}

void DmaEngine::fire() {
  for (;;) {
    wait(wake_.default_event());
    Pending p = pending_.top();
    pending_.pop();
    p.fn();
  }
}

void DmaEngine::load(uint64_t addr, uint64_t bytes, SramBuffer& dst, uint32_t key, DramClass cls,
                     std::function<void()> done) {
  ++loads_;
  load_bytes_ += bytes;
  dram_.request(addr, bytes, false, key, cls, [this, bytes, &dst, key, done = std::move(done)]() {
    at(dst.reserve(bytes * 8, true, key, slot_offset(dst, false)), done);
  });
}

void DmaEngine::store(uint64_t addr, uint64_t bytes, SramBuffer& src, uint32_t key, DramClass cls,
                      std::function<void()> done) {
  ++stores_;
  store_bytes_ += bytes;
  const sc_core::sc_time read_done = src.reserve(bytes * 8, false, key, slot_offset(src, true));
  at(read_done,
     [this, addr, bytes, key, cls, done = std::move(done)]() { dram_.request(addr, bytes, true, key, cls, done); });
}

std::vector<StatDecl> DmaEngine::declared_stats() const {
  return {{"loads", "count", "DRAM -> SRAM transfers"},
          {"stores", "count", "SRAM -> DRAM transfers"},
          {"load_bytes", "B", "bytes loaded"},
          {"store_bytes", "B", "bytes stored"}};
}

void DmaEngine::collect(ModuleStats& out) const {
  out.kind = "dma_engine";
  out.scalars["loads"] = static_cast<double>(loads_);
  out.scalars["stores"] = static_cast<double>(stores_);
  out.scalars["load_bytes"] = static_cast<double>(load_bytes_);
  out.scalars["store_bytes"] = static_cast<double>(store_bytes_);
}

}  // namespace lpusim

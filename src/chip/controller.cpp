#include "chip/controller.h"

namespace lpusim {

Controller::Controller(sc_core::sc_module_name name, const Program& prog, std::vector<ComputeUnit*> units,
                       DmaEngine& dma, SramBuffer& wbuf, SramBuffer& abuf, sc_core::sc_time clock)
    : sc_core::sc_module(name),
      prog_(prog),
      units_(std::move(units)),
      dma_(dma),
      wbuf_(wbuf),
      abuf_(abuf),
      clock_(clock),
      loads_left_(prog.tiles.size()),
      computed_(prog.tiles.size()),
      stores_left_(prog.tiles.size()),
      op_tiles_computed_(prog.ops.size()),
      op_tiles_done_(prog.ops.size()),
      op_end_(prog.ops.size()),
      key_cycles_(prog.keys.size()),
      key_instances_(prog.keys.size()) {
  SC_HAS_PROCESS(Controller);
  SC_THREAD(run);
}

uint64_t Controller::now_cycles() const { return static_cast<uint64_t>(sc_core::sc_time_stamp() / clock_ + 0.5); }

void Controller::on_loaded(uint32_t t, DmaKind k) {
  if (probe_) probe_->dma_done(t, k);
  --loads_left_[t];
  wake_.notify(sc_core::SC_ZERO_TIME);
}

void Controller::on_stored(uint32_t t) {
  if (probe_) probe_->dma_done(t, DmaKind::Store);
  if (--stores_left_[t] == 0) ++op_tiles_done_[prog_.tiles[t].op];
  wake_.notify(sc_core::SC_ZERO_TIME);
}

void Controller::on_computed(uint32_t t) {
  const Tile& tile = prog_.tiles[t];
  computed_[t] = 1;
  ++op_tiles_computed_[tile.op];
  const uint32_t key = prog_.ops[tile.op].stat_key;
  if (tile.store_bytes > 0) {
    stores_left_[t] = 1;
    if (probe_) probe_->dma_issue(t, DmaKind::Store, tile.store_bytes);
    const std::string& name = prog_.ops[tile.op].op.name;
    const DramClass cls = name == "kv_append" || name == "kv_store" ? DramClass::Kv : DramClass::Activations;
    dma_.store(tile.store_addr, tile.store_bytes, abuf_, key, cls, [this, t]() { on_stored(t); });
  } else {
    ++op_tiles_done_[tile.op];
  }
  wake_.notify(sc_core::SC_ZERO_TIME);
}

void Controller::run() {
  const uint32_t n_tiles = static_cast<uint32_t>(prog_.tiles.size());
  const uint32_t n_ops = static_cast<uint32_t>(prog_.ops.size());
  uint32_t next_load = 0, next_compute = 0;
  uint64_t prev_end = 0;
  for (;;) {
    // Retire completed ops in order.
    while (ops_completed_ < n_ops && op_tiles_done_[ops_completed_] == prog_.ops[ops_completed_].num_tiles) {
      const ProgramOp& po = prog_.ops[ops_completed_];
      const uint64_t end = now_cycles();
      op_end_[ops_completed_] = end;
      key_cycles_[po.stat_key] += end - prev_end;
      ++key_instances_[po.stat_key];
      prev_end = end;
      if (probe_) probe_->op_done(ops_completed_);
      if (po.op.phase == Phase::Prefill) prefill_cycles_ = end;
      ++ops_completed_;
    }
    if (ops_completed_ == n_ops) break;

    // Issue loads (double buffering, data dependencies).
    while (next_load < n_tiles) {
      const Tile& t = prog_.tiles[next_load];
      const uint32_t window = prog_.ops[t.op].window;
      if (next_load >= window && !computed_[next_load - window]) break;
      if (t.load_depends_on_prev_op && t.op > 0 && ops_completed_ < t.op) break;
      const uint32_t key = prog_.ops[t.op].stat_key;
      const uint32_t id = next_load;
      loads_left_[id] = static_cast<uint8_t>((t.load_weight_bytes > 0) + (t.load_act_bytes > 0));
      // Traffic class: the stationary operand is the KV cache in attention ops, else weights.
      const DramClass wcls = prog_.ops[t.op].op.wclass == WeightClass::KvCache ? DramClass::Kv : DramClass::Weights;
      auto load = [&](DmaKind k, uint64_t addr, uint64_t bytes, SramBuffer& buf) {
        if (bytes == 0) return;
        if (probe_) probe_->dma_issue(id, k, bytes);
        const DramClass cls = k == DmaKind::LoadWeight ? wcls : DramClass::Activations;
        dma_.load(addr, bytes, buf, key, cls, [this, id, k]() { on_loaded(id, k); });
      };
      load(DmaKind::LoadWeight, t.load_weight_addr, t.load_weight_bytes, wbuf_);
      load(DmaKind::LoadActivation, t.load_act_addr, t.load_act_bytes, abuf_);
      ++next_load;
    }

    // Dispatch computes in order.
    while (next_compute < next_load) {
      const Tile& t = prog_.tiles[next_compute];
      if (loads_left_[next_compute] != 0) break;
      if (t.op > 0 && op_tiles_computed_[t.op - 1] < prog_.ops[t.op - 1].num_tiles) break;
      const uint32_t id = next_compute;
      units_[t.unit]->submit(&t, prog_.ops[t.op].stat_key, [this, id]() { on_computed(id); });
      ++next_compute;
    }
    wait(wake_);
  }
  total_cycles_ = now_cycles();
  finished_ = true;
}

std::vector<StatDecl> Controller::declared_stats() const {
  return {{"total_cycles", "cycles", "end of the last op"},
          {"prefill_cycles", "cycles", "end of the last prefill op"},
          {"tiles", "count", "tiles in the program"},
          {"ops", "count", "ops in the program"}};
}

void Controller::collect(ModuleStats& out) const {
  out.kind = "controller";
  out.scalars["total_cycles"] = static_cast<double>(total_cycles_);
  out.scalars["prefill_cycles"] = static_cast<double>(prefill_cycles_);
  out.scalars["tiles"] = static_cast<double>(prog_.tiles.size());
  out.scalars["ops"] = static_cast<double>(prog_.ops.size());
  // The controller's busy_per_key holds critical-path cycles per key (see the header), which the
  // report uses as each op's cycles; it is not added to unit busy time.
  out.busy_per_key = key_cycles_;
}

}  // namespace lpusim

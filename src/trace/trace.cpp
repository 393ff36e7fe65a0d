#include "trace/trace.h"

#include <systemc>

#include <cstdio>
#include <fstream>
#include <map>

#include "base/atomic_output.h"
#include "base/config_error.h"
#include "chip/chip.h"
#include "chip/controller.h"
#include "memory/dram.h"
#include "observe/probe.h"
#include "spec/design.h"
#include "units/compute_unit.h"

namespace lpusim {

namespace {

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

}  // namespace

// ---- the session ---------------------------------------------------------------------------------

struct TraceSession::Impl {
  TraceOptions opt;
  sc_core::sc_trace_file* vcd = nullptr;
  std::ofstream tl;
  std::unique_ptr<OutputFile> vcd_out, tl_out;  // temporary siblings, renamed into place by finish()
  bool tl_first = true;
  uint64_t async_id = 0;

  // Streams one trace event; events come in simulation order, so the file is deterministic.
  void event(const std::string& body) {
    if (!tl.is_open()) return;
    tl << (tl_first ? "\n" : ",\n") << "{" << body << "}";
    tl_first = false;
  }
  static std::string us(sc_core::sc_time t) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6f", t.to_seconds() * 1e6);  // microseconds, ps resolution
    return buf;
  }

  std::vector<std::unique_ptr<IUnitProbe>> unit_probes;
  std::vector<std::unique_ptr<IControllerProbe>> ctrl_probes;
  std::vector<std::unique_ptr<sc_core::sc_module>> samplers;
};

namespace {

// Per chip: clock, filters, track ids.
struct ChipCtx {
  TraceSession::Impl* s;
  const Program* prog;
  sc_core::sc_time clock;
  int pid;
  uint64_t cycle(sc_core::sc_time t) const { return static_cast<uint64_t>(t / clock + 0.5); }
  bool in_window(sc_core::sc_time t) const {
    const uint64_t c = cycle(t);
    return c >= s->opt.window_begin && c < s->opt.window_end;
  }
  bool in_layers(const Tile& t) const {
    const int l = prog->ops[t.op].op.layer;
    return l >= s->opt.layer_lo && l <= s->opt.layer_hi;
  }
};

class UnitProbe : public IUnitProbe {
 public:
  UnitProbe(ChipCtx c, int tid) : c_(c), tid_(tid) {}
  bool busy = false;
  unsigned queue_depth = 0;

  void queued(size_t depth) override {
    if (c_.in_window(sc_core::sc_time_stamp())) queue_depth = static_cast<unsigned>(depth);
  }
  void tile_begin(const Tile& t, sc_core::sc_time start, sc_core::sc_time end, size_t depth) override {
    if (c_.in_window(start)) queue_depth = static_cast<unsigned>(depth);
    traced_ = c_.in_window(start) && c_.in_layers(t);
    if (!traced_) return;
    busy = true;
    const Op& op = c_.prog->ops[t.op].op;
    c_.s->event("\"name\":\"" + json_escape(op.name) + "\",\"cat\":\"tile\",\"ph\":\"X\",\"pid\":" +
                std::to_string(c_.pid) + ",\"tid\":" + std::to_string(tid_) + ",\"ts\":" + c_.s->us(start) +
                ",\"dur\":" + c_.s->us(end - start) + ",\"args\":{\"layer\":" + std::to_string(op.layer) +
                ",\"phase\":\"" + phase_name(op.phase) + "\",\"step\":" + std::to_string(op.step) +
                ",\"cycles\":" + std::to_string(c_.cycle(end) - c_.cycle(start)) + "}");
  }
  void tile_end(const Tile&) override {
    if (traced_) busy = false;
    traced_ = false;
  }

 private:
  ChipCtx c_;
  int tid_;
  bool traced_ = false;
};

class ControllerProbe : public IControllerProbe {
 public:
  ControllerProbe(ChipCtx c, int dma_tid) : c_(c), dma_tid_(dma_tid) {}
  unsigned loads_in_flight = 0, stores_in_flight = 0, ops_completed = 0;

  void dma_issue(uint32_t tile, DmaKind k, uint64_t bytes) override {
    (k == DmaKind::Store ? stores_ : loads_)++;
    publish();
    const Tile& t = c_.prog->tiles[tile];
    if (!c_.in_window(sc_core::sc_time_stamp()) || !c_.in_layers(t)) return;
    const uint64_t id = ++c_.s->async_id;
    open_[{tile, static_cast<int>(k)}] = id;
    c_.s->event("\"name\":\"" + std::string(name(k)) + "\",\"cat\":\"dma\",\"ph\":\"b\",\"id\":" + std::to_string(id) +
                ",\"pid\":" + std::to_string(c_.pid) + ",\"tid\":" + std::to_string(dma_tid_) +
                ",\"ts\":" + c_.s->us(sc_core::sc_time_stamp()) + ",\"args\":{\"bytes\":" + std::to_string(bytes) +
                ",\"op\":\"" + json_escape(c_.prog->ops[t.op].op.name) +
                "\",\"layer\":" + std::to_string(c_.prog->ops[t.op].op.layer) + "}");
  }
  void dma_done(uint32_t tile, DmaKind k) override {
    (k == DmaKind::Store ? stores_ : loads_)--;
    publish();
    auto it = open_.find({tile, static_cast<int>(k)});
    if (it == open_.end()) return;
    // An async slice opened in the window is always closed, so every "b" has its "e".
    c_.s->event("\"name\":\"" + std::string(name(k)) + "\",\"cat\":\"dma\",\"ph\":\"e\",\"id\":" +
                std::to_string(it->second) + ",\"pid\":" + std::to_string(c_.pid) +
                ",\"tid\":" + std::to_string(dma_tid_) + ",\"ts\":" + c_.s->us(sc_core::sc_time_stamp()));
    open_.erase(it);
  }
  void op_done(uint32_t) override {
    ++ops_;
    publish();
  }

 private:
  static const char* name(DmaKind k) {
    return k == DmaKind::LoadWeight ? "load weight" : k == DmaKind::LoadActivation ? "load activation" : "store";
  }
  // The traced copies follow the true counts only inside the window (frozen outside).
  void publish() {
    if (!c_.in_window(sc_core::sc_time_stamp())) return;
    loads_in_flight = loads_;
    stores_in_flight = stores_;
    ops_completed = ops_;
  }
  ChipCtx c_;
  int dma_tid_;
  unsigned loads_ = 0, stores_ = 0, ops_ = 0;
  std::map<std::pair<uint32_t, int>, uint64_t> open_;
};

// Samples DRAM bytes moved (all channels) every period and publishes GB/s.
class DramSampler : public sc_core::sc_module {
 public:
  double bandwidth_gb_s = 0;
  sc_dt::uint64 bytes = 0;
  DramSampler(sc_core::sc_module_name n, ChipCtx c, const Controller& ctrl, std::vector<DramChannel*> ch)
      : sc_core::sc_module(n), c_(c), ctrl_(ctrl), ch_(std::move(ch)) {
    SC_HAS_PROCESS(DramSampler);
    SC_THREAD(run);
  }

 private:
  uint64_t moved() const {
    uint64_t b = 0;
    for (auto* ch : ch_) b += ch->read_bytes() + ch->write_bytes();
    return b;
  }
  void run() {
    const uint64_t period = c_.s->opt.sample_cycles;
    const double clock_ghz = 1e-9 / c_.clock.to_seconds();
    if (c_.s->opt.window_begin > 0) wait(c_.clock * static_cast<double>(c_.s->opt.window_begin));
    uint64_t last = moved();
    while (!ctrl_.finished() && c_.in_window(sc_core::sc_time_stamp())) {
      wait(c_.clock * static_cast<double>(period));
      const uint64_t now = moved();
      bandwidth_gb_s = static_cast<double>(now - last) / static_cast<double>(period) * clock_ghz;
      bytes = now;
      c_.s->event("\"name\":\"dram GB/s\",\"ph\":\"C\",\"pid\":" + std::to_string(c_.pid) + ",\"ts\":" +
                  c_.s->us(sc_core::sc_time_stamp()) + ",\"args\":{\"GB/s\":" + std::to_string(bandwidth_gb_s) + "}");
      last = now;
    }
  }
  ChipCtx c_;
  const Controller& ctrl_;
  std::vector<DramChannel*> ch_;
};

void find_channels(sc_core::sc_object* o, std::vector<DramChannel*>& out) {
  if (auto* ch = dynamic_cast<DramChannel*>(o)) out.push_back(ch);
  for (auto* c : o->get_child_objects()) find_channels(c, out);
}

}  // namespace

std::unique_ptr<TraceSession> TraceSession::start_if_requested(const TraceOptions& o) {
  if (!o.enabled()) return nullptr;
  return std::make_unique<TraceSession>(o);
}

TraceSession::TraceSession(const TraceOptions& o) : impl_(std::make_unique<Impl>()) {
  impl_->opt = o;
  if (!o.vcd_file.empty()) {
    std::string base = o.vcd_file;
    if (base.size() > 4 && base.substr(base.size() - 4) == ".vcd") base.resize(base.size() - 4);
    // SystemC writes <name>.vcd: give it the temporary name, without its ".vcd".
    impl_->vcd_out = std::make_unique<OutputFile>(base + ".vcd", "--trace-vcd", ".vcd");
    const std::string& tmp = impl_->vcd_out->temp_path();
    impl_->vcd = sc_core::sc_create_vcd_trace_file(tmp.substr(0, tmp.size() - 4).c_str());
    impl_->vcd->set_time_unit(1, sc_core::SC_PS);
  }
  if (!o.timeline_file.empty()) {
    impl_->tl_out = std::make_unique<OutputFile>(o.timeline_file, "--trace-timeline");
    impl_->tl.open(impl_->tl_out->temp_path(), std::ios::binary);
    if (!impl_->tl) throw ConfigError(o.timeline_file + ": cannot write the timeline trace");
    impl_->tl << "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"lpusim\"},\"traceEvents\":[";
  }
}

TraceSession::~TraceSession() = default;

void TraceSession::attach(Chip& chip, const DesignSpec& d, const Program& p) {
  Impl& s = *impl_;
  const int pid = static_cast<int>(s.samplers.size()) + 1;
  ChipCtx c{&s, &p, sc_core::sc_time(d.cycle_ns(), sc_core::SC_NS), pid};
  const std::string cn = chip.name();
  s.event("\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"args\":{\"name\":\"" +
          json_escape(cn) + "\"}");
  int tid = 0;
  for (const auto& u : chip.units()) {
    ++tid;
    auto probe = std::make_unique<UnitProbe>(c, tid);
    if (s.vcd) {
      sc_core::sc_trace(s.vcd, probe->busy, cn + "." + u->spec().name + ".busy");
      sc_core::sc_trace(s.vcd, probe->queue_depth, cn + "." + u->spec().name + ".queue_depth", 16);
    }
    s.event("\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) +
            ",\"args\":{\"name\":\"" + json_escape(u->spec().name + " (" + u->spec().impl + ")") + "\"}");
    u->set_probe(probe.get());
    s.unit_probes.push_back(std::move(probe));
  }
  const int dma_tid = tid + 1;
  s.event("\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) +
          ",\"tid\":" + std::to_string(dma_tid) + ",\"args\":{\"name\":\"dma\"}");
  auto cp = std::make_unique<ControllerProbe>(c, dma_tid);
  if (s.vcd) {
    sc_core::sc_trace(s.vcd, cp->loads_in_flight, cn + ".controller.loads_in_flight", 16);
    sc_core::sc_trace(s.vcd, cp->stores_in_flight, cn + ".controller.stores_in_flight", 16);
    sc_core::sc_trace(s.vcd, cp->ops_completed, cn + ".controller.ops_completed", 32);
  }
  // The chip's controller is const from outside; probes only observe, so attaching is safe.
  const_cast<Controller&>(chip.controller()).set_probe(cp.get());
  s.ctrl_probes.push_back(std::move(cp));
  std::vector<DramChannel*> channels;
  find_channels(&chip, channels);
  auto sampler = std::make_unique<DramSampler>((cn + "_dram_sampler").c_str(), c, chip.controller(), channels);
  if (s.vcd) {
    sc_core::sc_trace(s.vcd, sampler->bandwidth_gb_s, cn + ".dram.bandwidth_gb_s");
    sc_core::sc_trace(s.vcd, sampler->bytes, cn + ".dram.bytes", 64);
  }
  s.samplers.push_back(std::move(sampler));
}

namespace {
// SystemC writes the wall-clock date into the VCD header; blank it in place (same length) so the
// same run gives the same file.
void blank_vcd_date(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  std::string head(4096, '\0');
  f.read(&head[0], static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(f.gcount()));
  const size_t a = head.find("$date"), b = head.find("$end", a == std::string::npos ? 0 : a);
  if (a == std::string::npos || b == std::string::npos) return;
  std::string repl = "$date";
  repl.resize(b - a, ' ');
  f.clear();
  f.seekp(static_cast<std::streamoff>(a));
  f.write(repl.data(), static_cast<std::streamsize>(repl.size()));
}
}  // namespace

void TraceSession::finish() {
  if (impl_->vcd) {
    sc_core::sc_close_vcd_trace_file(impl_->vcd);
    impl_->vcd = nullptr;
    blank_vcd_date(impl_->vcd_out->temp_path());
    impl_->vcd_out->commit();
  }
  if (impl_->tl.is_open()) {
    impl_->tl << "\n]}\n";
    impl_->tl.close();
    if (!impl_->tl) throw ConfigError(impl_->opt.timeline_file + ": cannot write the timeline trace");
    impl_->tl_out->commit();
  }
}

}  // namespace lpusim

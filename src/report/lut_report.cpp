#include "report/lut_report.h"

#include "report/report.h"
#include "spec/model_ops.h"

namespace lpusim {

LutMlpReport summarize_lut_mlp(const SimulationRun& run, const DesignRun& d, const std::vector<Row>& ops) {
  LutMlpReport r;
  const ModelSpec& m = run.workload.model;
  if (!m.lut_mlp.enabled) return r;
  r.present = true;
  uint64_t per_token = 0;  // MACs per token of the FFN weights a LUT block replaces
  for (const BlockLinear& b : block_linears(m, false))
    if (b.op->ffn) per_token += b.K * b.N;
  r.as_mac = true;
  for (const ProgramOp& po : d.program.ops) r.as_mac = r.as_mac && po.op.kind != OpKind::Lut;
  // The ops of one MAC MLP block, between ffn_norm and ffn_residual (the LUT block's counterpart).
  auto mac_block_op = [](const std::string& n) {
    return n == "ffn_quant" || n == "ffn_gate" || n == "ffn_up" || n == "ffn_act" || n == "ffn_subln" ||
           n == "down_quant" || n == "ffn_down";
  };
  uint64_t kept = 0;
  for (const ProgramOp& po : d.program.ops) {
    kept += po.op.macs();
    if (r.as_mac) {
      if (po.op.name == "ffn_down") ++r.blocks;
    } else if (po.op.kind == OpKind::Lut && po.op.lut_stage == LutStage::Sum) {
      ++r.blocks;
      r.macs_removed += po.op.M * per_token;
    }
  }
  r.macs_removed_fraction = static_cast<double>(r.macs_removed) / static_cast<double>(r.macs_removed + kept);
  for (const ModuleStats& s : d.modules) {
    if (s.kind != "lut_weightless") continue;
    r.lookups += static_cast<uint64_t>(s.scalars.at("lookups"));
    r.conflict_stall_cycles += static_cast<uint64_t>(s.scalars.at("bank_conflict_stall_cycles"));
    r.streamed_table_bits += static_cast<uint64_t>(s.scalars.at("streamed_table_bits"));
  }
  for (const Row& o : ops) {
    if (r.as_mac ? !mac_block_op(o.name) : o.name.rfind("lut_", 0) != 0) continue;
    r.cycles += o.cycles;
    r.energy_pj += o.energy.total();
  }
  return r;
}

}  // namespace lpusim

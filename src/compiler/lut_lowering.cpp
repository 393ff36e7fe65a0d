#include "compiler/lut_lowering.h"

#include <algorithm>

#include "base/config_error.h"
#include "spec/lut_mlp.h"

namespace lpusim {

namespace {
uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
uint64_t kib(uint64_t bits) { return div_up(bits, 8192); }
}  // namespace

void LutLowering::init() {
  if (unit_) return;
  const LutMlpSpec& s = w_.model.lut_mlp;
  unit_ = d_.first_with(Capability::LutLayer);
  if (!unit_) {
    throw ConfigError(d_.file + ": units: workload '" + w_.name +
                      "' replaces its MLPs with LUT layers (model.mlp.kind: lut) but no unit has the lut_layer "
                      "capability (add a lut_weightless unit)");
  }
  p_ = LutUnitParams::from(*unit_);
  const std::string where = d_.file + ": units." + unit_->name + ".";
  const lut::LutNetwork& n0 = *s.nets.at(0);
  if ((n0.sum == lut::SumKind::CondFp16 && !p_.sum_fp16) || (n0.sum == lut::SumKind::CondInt8 && p_.sum_fp16)) {
    throw ConfigError(where + "sum_datapath: '" + unit_->e("sum_datapath") + "' cannot run the workload's " +
                      lut::sum_kind_name(n0.sum));
  }
  for (const auto& L : n0.layers) {
    if (L.entry_bits > p_.word_bits) {
      throw ConfigError(where + "word_bits: " + std::to_string(p_.word_bits) + " is narrower than a " +
                        std::to_string(L.entry_bits) + "-bit LUT entry");
    }
  }
  uint64_t all = 0, block_max = 0;
  for (const auto& n : s.nets) {
    all += lut_block_sram_bits(*n);
    block_max = std::max<uint64_t>(block_max, n->threshold_bits());
    for (const auto& L : n->layers) block_max = std::max<uint64_t>(block_max, L.table_bits());
  }
  resident_ = all <= p_.sram_bits();
  if (!resident_ && !p_.stream) {
    throw ConfigError(where + "lut_sram_kib: the LUT tables and thresholds of workload '" + w_.name + "' need " +
                      std::to_string(kib(all)) + " KiB (" + std::to_string(s.nets.size()) +
                      " blocks) but the LUT SRAM holds " + std::to_string(p_.sram_kib) +
                      " KiB (on_overflow: reject; use stream_from_dram to stream them per block)");
  }
  if (!resident_ && block_max > p_.sram_bits()) {
    throw ConfigError(where + "lut_sram_kib: one LUT layer's tables need " + std::to_string(kib(block_max)) +
                      " KiB, more than the " + std::to_string(p_.sram_kib) + " KiB LUT SRAM even when streamed");
  }
  // Bits per token of the widest stage (input + output), so one chunk size serves every stage.
  const uint64_t F = n0.features;
  uint64_t per_tok = F * 16 + n0.encoded_bits();
  for (const auto& L : n0.layers) per_tok = std::max<uint64_t>(per_tok, L.in_bits + L.out_bits());
  per_tok = std::max<uint64_t>(per_tok, n0.final_bits() + uint64_t(n0.outputs) * 32);
  chunk_ = std::max<uint64_t>(1, d_.activation_buffer.bytes() * 8 / 2 / per_tok);
}

bool LutLowering::tables_resident() {
  init();
  return resident_;
}

void LutLowering::lower(const Op& op, uint32_t op_idx, ProgramOp& po, Program& prog) {
  init();
  const lut::LutNetwork& net = *w_.model.lut_mlp.nets.at(static_cast<size_t>(op.layer));
  po.unit = static_cast<uint32_t>(unit_ - d_.units.data());
  po.unit_name = unit_->name;
  const uint64_t act_half_bytes = d_.activation_buffer.bytes() / 2;
  const bool in_on_chip = op.in_elements * 2 <= act_half_bytes;
  po.out_on_chip = op.out_elements * 2 <= act_half_bytes;
  const uint64_t B = net.final_bits(), H = net.outputs;
  const bool fp16 = net.sum == lut::SumKind::CondFp16;
  const bool cond = net.sum != lut::SumKind::GroupSum;

  uint64_t stream_bits = 0, in_bits = 0, out_bits = 0, outs_per_tile = H;
  switch (op.lut_stage) {
    case LutStage::Encode:
      in_bits = uint64_t(net.features) * 16;
      out_bits = net.encoded_bits();
      if (!resident_) stream_bits = net.threshold_bits();
      po.note = "weightless MLP: " + std::to_string(net.therm_bits) + "-bit thermometer encoder";
      break;
    case LutStage::Lookup: {
      const lut::LutLayer& L = net.layers.at(static_cast<size_t>(op.lut_index));
      in_bits = L.in_bits;
      out_bits = L.out_bits();
      if (!resident_) stream_bits = L.table_bits();
      po.note = std::to_string(L.luts) + " LUTs x " + std::to_string(L.inputs) + " inputs x " +
                std::to_string(L.entry_bits) + " bit(s), tables " +
                (resident_ ? "resident in LUT SRAM" : "streamed from DRAM");
      break;
    }
    case LutStage::Sum: {
      in_bits = B;
      out_bits = H * (fp16 || !cond ? 16 : 32);
      if (cond) {
        // Values of one output (+ its bias) must fit half the weight buffer; slice the outputs.
        const uint64_t per_out = B * (fp16 ? 16 : 8) + (fp16 ? 16 : 32);
        outs_per_tile = std::min<uint64_t>(H, d_.weight_buffer.bytes() * 8 / 2 / per_out);
        if (outs_per_tile == 0) {
          throw ConfigError(d_.file + ": buffers.weight: half the weight buffer cannot hold one output's " +
                            std::to_string(B) + " conditional-sum values");
        }
      }
      po.note = std::string("weightless MLP: ") + lut::sum_kind_name(net.sum) + " (no multiplications)";
      break;
    }
  }
  for (uint64_t m0 = 0; m0 < op.M; m0 += chunk_) {
    const uint64_t tokens = std::min(chunk_, op.M - m0);
    for (uint64_t o0 = 0; o0 < H; o0 += outs_per_tile) {
      Tile tl;
      tl.op = op_idx;
      tl.unit = po.unit;
      tl.kind = OpKind::Lut;
      tl.lut = &net;
      tl.lut_stage = op.lut_stage;
      tl.lut_index = static_cast<uint32_t>(op.lut_index);
      tl.m = tokens;
      tl.n = std::min(outs_per_tile, H - o0);
      tl.k = B;
      // Same seed for every stage and output slice of a token chunk: they see the same activations.
      tl.lut_seed = w_.model.lut_mlp.seed * 0x100000001b3ull ^ (uint64_t(op.phase == Phase::Decode) << 62) ^
                    (uint64_t(op.step) << 40) ^ (uint64_t(op.layer) << 24) ^ m0;
      if (stream_bits && m0 == 0 && o0 == 0) {
        tl.lut_stream_bits = stream_bits;
        tl.load_weight_bytes += div_up(stream_bits, 8);
      }
      if (op.lut_stage == LutStage::Sum && cond) {
        tl.load_weight_bytes += div_up(tl.n * (B * (fp16 ? 16 : 8) + (fp16 ? 16 : 32)), 8);
      }
      if (!in_on_chip && o0 == 0) {
        tl.load_act_bytes = div_up(tokens * in_bits, 8);
        tl.load_depends_on_prev_op = true;
      }
      if (!po.out_on_chip) tl.store_bytes = div_up(tokens * out_bits * tl.n / H, 8);
      prog.tiles.push_back(tl);
    }
  }
}

}  // namespace lpusim

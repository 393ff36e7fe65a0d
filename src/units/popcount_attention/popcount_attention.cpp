// Popcount attention engine (Bitformer): attention dot products on bit-coded operands with
// AND/XNOR gates and popcount trees instead of multipliers. The coding and the dot-product
// recipe are those of the functional model (datapath/bitattn.h, dot_shape()).
//
// Microarchitecture: `query_rows` R rows, each of `lanes` L popcount lanes of `lane_bits` B bits.
// A K-bit word read from the K buffer (`k_buffer_banks` KB banks, one B-bit word per bank per cycle)
// is broadcast to all R rows; each row holds one query's planes. Lanes take the flattened stream of
// (key, pass, word) items; an adder tree of depth A (2^A >= L) reduces the lanes into S-bit score
// accumulators, which apply the offset corrections.
//
// GEMM tile (m query rows x k elements x n keys; a_bits = Ta, w_bits = Tb planes), closed form:
//   W  = ceil(k / B)                      lane words per vector
//   P  = dot_shape(enc, Ta, Tb).passes    popcount passes per word (sign 1, bit_plane Ta*Tb, spike 2T)
//   Kp = dot_shape(...).key_planes        K planes read per word (sign 1, bit_plane Tb, spike Tb + 1)
//   g  = ceil(m / R)                      query groups
//   cycles = g * max(ceil(n*P*W / L), ceil(n*Kp*W / KB)) + A + 1   (+1: accumulator write stage)
// Events: bit_logic = m*n*(P + extra)*W*B, popcount_tree_bit = m*n*P*W*B,
//   adder_tree_bit = m*n*(P*W - 1 + corrections + [not first k slice]) * S, score_acc_write_bit = m*n*S,
//   kbuf_read_bit = g*n*Kp*W*B, kbuf_write_bit = n*Kp*W*B (the tile's K slice is filled once).
// Encoder tile (E elements to Ta planes, when `encoder: engine`): two passes (absmax, then
//   compare-and-pack) over `encoder_lanes` lanes: cycles = ceil(2E / encoder_lanes) + 1;
//   encoder_compare = E * (1 + compares), compares: sign 1, bit_plane T (successive approximation),
//   spike ceil(log2(T + 1)) + 1 (count and sign); fp16_mul = 2E (x^2 for the rms, x * 1/s),
//   fp32_add = E (sum of squares); bit_plane adds
//   popcount_tree_bit = E * T for the plane sums of the offset corrections.
#include <cmath>

#include "datapath/bitattn.h"
#include "spec/area.h"
#include "units/compute_unit.h"
#include "units/popcount_attention/popcount_attention.h"
#include "units/unit_def.h"

namespace lpusim {

uint64_t popcount_encoder_compares(const std::string& encoding, uint64_t T) {
  if (encoding == "sign") return 1;
  if (encoding == "bit_plane") return T;
  uint64_t bits = 0;
  while ((1ull << bits) < T + 1) ++bits;
  return bits + 1;
}

namespace {

struct PopcountAttentionParams {
  std::string encoding;  // sign | bit_plane | spike
  int64_t T = 1, context_T = 1, lanes = 1;
  std::string lane_bits;  // 64 | 256 | 512
  int64_t adder_tree_depth = 0, score_accumulator_bits = 8, k_buffer_kib = 1, k_buffer_banks = 1, query_rows = 1;
  std::string encoder;  // engine | vector
  int64_t encoder_lanes = 1;
};
using PA = PopcountAttentionParams;

const ParamTable<PA> kParams = {
    param(&PA::encoding, "encoding",
          "operand coding: sign (T = 1, XNOR-popcount), bit_plane (T planes of offset binary, AND-popcount with "
          "offset corrections), spike (T-step rate coding + sign plane)")
        .choices({"sign", "bit_plane", "spike"}),
    param(&PA::T, "T", "bits (planes or time steps) per Q and K element; sign requires 1").min(1),
    param(&PA::context_T, "context_T",
          "bits per P (unsigned) and V element when attention.context is popcount (sign: V stays 1 bit)")
        .min(1),
    param(&PA::lanes, "lanes", "popcount lanes per query row").min(1),
    param(&PA::lane_bits, "lane_bits", "bits per lane word").choices({"64", "256", "512"}),
    param(&PA::adder_tree_depth, "adder_tree_depth", "adder-tree stages reducing the lanes (2^depth >= lanes)").min(0),
    param(&PA::score_accumulator_bits, "score_accumulator_bits", "score accumulator width in bits").min(8),
    param(&PA::k_buffer_kib, "k_buffer_kib", "K-bit-vector buffer size in KiB (bounds keys per tile)").min(1),
    param(&PA::k_buffer_banks, "k_buffer_banks", "K-buffer banks; each delivers one lane word per cycle").min(1),
    param(&PA::query_rows, "query_rows", "query rows processed in parallel (share each K word read)").min(1),
    param(&PA::encoder, "encoder",
          "where Q/K/P/V are quantised to bits: the engine's own encoder stage or the vector unit")
        .choices({"engine", "vector"}),
    param(&PA::encoder_lanes, "encoder_lanes", "elements per cycle per pass of the engine's encoder stage").min(1),
};

class PopcountAttention : public ComputeUnit {
 public:
  PopcountAttention(sc_core::sc_module_name name, const UnitSpec& spec, const PA& p, const UnitContext& ctx)
      : ComputeUnit(name, spec, ctx),
        enc_name_(p.encoding),
        enc_(bitattn::parse_encoding(enc_name_)),
        lanes_(p.lanes),
        lane_bits_(std::stoull(p.lane_bits)),
        depth_(p.adder_tree_depth),
        acc_bits_(p.score_accumulator_bits),
        kbuf_kib_(p.k_buffer_kib),
        kbuf_banks_(p.k_buffer_banks),
        rows_(p.query_rows),
        enc_lanes_(p.encoder_lanes) {}

  TileCost cost(const Tile& t) const override {
    TileCost c;
    if (t.kind == OpKind::Vector) return encoder_cost(t);
    const bitattn::DotShape s = bitattn::dot_shape(enc_, t.a_bits, t.w_bits, t.a_unsigned);
    const uint64_t W = ceil_div(t.k, lane_bits_), g = ceil_div(t.m, rows_);
    const uint64_t pop = ceil_div(t.n * s.passes * W, lanes_);
    const uint64_t rd = ceil_div(t.n * s.key_planes * W, kbuf_banks_);
    c.cycles = g * std::max(pop, rd) + depth_ + 1;
    const uint64_t scores = t.m * t.n, word_bits = W * lane_bits_;
    c.events[Ev::BitLogicBit] =
        scores * (static_cast<uint64_t>(s.passes) * s.logic_per_pass + s.extra_logic) * word_bits;
    c.events[Ev::PopcountTreeBit] = scores * s.passes * word_bits;
    c.events[Ev::AdderTreeBit] = scores * (s.passes * W - 1 + s.corrections + (t.first_k ? 0 : 1)) * acc_bits_;
    c.events[Ev::ScoreAccWriteBit] = scores * acc_bits_;
    c.events[Ev::KbufReadBit] = g * t.n * s.key_planes * word_bits;
    c.events[Ev::KbufWriteBit] = t.n * s.key_planes * word_bits;
    const uint64_t q_planes = enc_ == bitattn::Encoding::Spike ? t.a_bits + 1 : t.a_bits;
    c.w_read_bits = t.n * t.k * s.key_planes;
    c.a_read_bits = t.m * t.k * q_planes + (t.first_k ? 0 : scores * acc_bits_);
    c.a_write_bits = scores * (t.last_k ? t.out_bits : acc_bits_);
    c.macs = t.m * t.k * t.n;
    return c;
  }

  double leakage_uw() const override {
    return static_cast<double>(rows_ * lanes_ * lane_bits_) * ctx_.tech->leak("popcount_lane_bit") +
           static_cast<double>(kbuf_kib_) * ctx_.tech->leak("sram_kib");
  }
  // Dot-product elements per cycle at one pass (sign coding); bit-plane and spike codings use P passes.
  uint64_t peak_macs_per_cycle() const override { return rows_ * lanes_ * lane_bits_; }

  void collect(ModuleStats& out) const override {
    ComputeUnit::collect(out);
    const SramClass& k = ctx_.tech->sram_class(static_cast<double>(kbuf_kib_));
    out.prices[Ev::KbufReadBit] = k.read_pj_per_bit;
    out.prices[Ev::KbufWriteBit] = k.write_pj_per_bit;
  }

 private:
  TileCost encoder_cost(const Tile& t) const {
    TileCost c;
    const uint64_t e = t.elements;
    c.cycles = ceil_div(2 * e, enc_lanes_) + 1;
    c.events[Ev::EncoderCompare] = e * (1 + popcount_encoder_compares(enc_name_, t.a_bits));
    c.events[Ev::Fp16Mul] = 2 * e;
    c.events[Ev::Fp32Add] = e;
    if (enc_ == bitattn::Encoding::BitPlane) c.events[Ev::PopcountTreeBit] = e * t.a_bits;
    c.a_read_bits = 2 * e * t.in_operands * 16;
    c.a_write_bits = e * t.out_bits;
    return c;
  }

  std::string enc_name_;
  bitattn::Encoding enc_;
  uint64_t lanes_, lane_bits_, depth_, acc_bits_, kbuf_kib_, kbuf_banks_, rows_, enc_lanes_;
};

const bool registered =
    UnitDef<PA>("popcount_attention")
        .doc(
            "Bitformer popcount attention engine: Q.K^T (and optionally P.V) on bit-coded operands with AND/XNOR + "
            "popcount lanes, an adder tree, score accumulators, a K-bit buffer and a Q/K encoder; mapped by the "
            "design's `attention:` section")
        .params(kParams)
        .capabilities({Capability::BitAttention})
        .area([](const PA& p, const TechTable& t) {
          // Per query row: L lanes of B-bit AND/XNOR + popcount trees, an adder tree of L - 1 adders of
          // the score width, and one score accumulator; shared: the K-bit SRAM and the encoder's
          // 16-bit comparators (two 8-bit subtract widths each).
          const double R = static_cast<double>(p.query_rows), L = static_cast<double>(p.lanes);
          const double B = std::stod(p.lane_bits), S = static_cast<double>(p.score_accumulator_bits);
          const double row =
              L * B * t.area("popcount_bit") + (L - 1) * t.area("int32_add") * S / 32 + S * t.area("register_bit");
          const double enc = p.encoder == "engine" ? static_cast<double>(p.encoder_lanes) * 2 * t.area("int8_add") : 0;
          AreaItem a;
          a.what = "query rows x (lanes x lane bits popcount + adder tree + score register) + K-bit SRAM + encoder";
          a.um2 = R * row + sram_area_um2(t, static_cast<double>(p.k_buffer_kib)) + enc;
          return a;
        })
        .make<PopcountAttention>()
        .add();

}  // namespace
}  // namespace lpusim

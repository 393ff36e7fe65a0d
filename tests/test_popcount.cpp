// Popcount attention engine: bit-exact dot products for every coding against the integer
// reference, counted bit operations, per-tile cycles and energy against the closed form, the coded
// KV cache, the compiler mapping and its notes, accuracy vs T, and bad configurations.
#include <catch2/catch.hpp>
#include <systemc>

#include <nlohmann/json.hpp>

#include <cmath>
#include <random>

#include "base/config_error.h"
#include "compiler/compiler.h"
#include "config/loaders.h"
#include "datapath/bitattn.h"
#include "helpers.h"
#include "spec/design.h"
#include "spec/workload.h"
#include "unit_bench.h"
#include "units/popcount_attention/popcount_attention.h"

using namespace lpusim;
using namespace lpusim::bitattn;
using namespace lpusim_test;

namespace {

uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

std::vector<float> gaussian(uint32_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = nd(rng);
  return v;
}

std::vector<std::vector<float>> cases(uint32_t d, uint64_t seed) {
  std::vector<std::vector<float>> c;
  c.push_back(gaussian(d, seed));
  c.push_back(gaussian(d, seed + 100));
  c.push_back(std::vector<float>(d, 0.0f));   // all zeros
  c.push_back(std::vector<float>(d, 1.0f));   // all ones
  c.push_back(std::vector<float>(d, -2.5f));  // all negative
  return c;
}

}  // namespace

TEST_CASE("popcount dot products are bit-exact against the integer reference for every coding") {
  for (uint32_t d : {1u, 63u, 64u, 65u, 100u, 200u}) {
    for (const Encoding enc : {Encoding::Sign, Encoding::BitPlane, Encoding::Spike}) {
      for (uint32_t T : {1u, 2u, 3u, 4u, 7u}) {
        if (enc == Encoding::Sign && T != 1) continue;
        const auto cs = cases(d, d * 10 + T);
        for (size_t i = 0; i < cs.size(); ++i) {
          for (size_t j = 0; j < cs.size(); ++j) {
            INFO("d " << d << " enc " << encoding_name(enc) << " T " << T << " case " << i << "," << j);
            const CodedVec a = encode(cs[i], enc, T, Side::Query);
            const CodedVec b = encode(cs[j], enc, T, Side::Key);
            CHECK(dot_bitwise(a, b, enc, 64, nullptr) == dot_reference(a, b, enc));
            // Unsigned a-side (softmax probabilities) against a signed k-side, as in P.V.
            std::vector<float> p(cs[i]);
            for (auto& x : p) x = std::fabs(x);
            const Encoding ce = enc == Encoding::Spike ? Encoding::Spike : Encoding::BitPlane;
            const CodedVec pa = encode(p, ce, T, Side::Query, true);
            const CodedVec vb =
                encode(cs[j], enc == Encoding::Sign ? Encoding::Sign : enc, enc == Encoding::Sign ? 1 : T, Side::Key);
            CHECK(dot_bitwise(pa, vb, ce, 64, nullptr) == dot_reference(pa, vb, ce));
          }
        }
      }
    }
  }
}

TEST_CASE("edge cases have the values the codings define") {
  const uint32_t d = 100;  // not a multiple of 64: padding must not count
  const std::vector<float> ones(d, 1.0f), zeros(d, 0.0f), neg(d, -1.0f);
  // sign: score = d - 2 * Hamming.
  CHECK(dot_bitwise(encode(ones, Encoding::Sign, 1, Side::Query), encode(ones, Encoding::Sign, 1, Side::Key),
                    Encoding::Sign, 64, nullptr) == 100);
  CHECK(dot_bitwise(encode(ones, Encoding::Sign, 1, Side::Query), encode(neg, Encoding::Sign, 1, Side::Key),
                    Encoding::Sign, 64, nullptr) == -100);
  std::vector<float> half(ones);
  for (uint32_t i = 0; i < 30; ++i) half[i] = -1.0f;  // Hamming distance 30 from ones
  CHECK(dot_bitwise(encode(ones, Encoding::Sign, 1, Side::Query), encode(half, Encoding::Sign, 1, Side::Key),
                    Encoding::Sign, 64, nullptr) == 100 - 2 * 30);
  // bit_plane: zeros code to v = 0, so the offset corrections must cancel exactly.
  for (uint32_t T : {2u, 4u, 8u}) {
    CHECK(dot_bitwise(encode(zeros, Encoding::BitPlane, T, Side::Query), encode(ones, Encoding::BitPlane, T, Side::Key),
                      Encoding::BitPlane, 64, nullptr) == 0);
    const int64_t top = (1 << (T - 1)) - 1;  // ones code to the top level
    CHECK(dot_bitwise(encode(ones, Encoding::BitPlane, T, Side::Query), encode(ones, Encoding::BitPlane, T, Side::Key),
                      Encoding::BitPlane, 64, nullptr) == 100 * top * top);
  }
  // spike: full-rate trains overlap in all T steps; signs subtract.
  CHECK(dot_bitwise(encode(ones, Encoding::Spike, 4, Side::Query), encode(neg, Encoding::Spike, 4, Side::Key),
                    Encoding::Spike, 64, nullptr) == -100 * 4);
  CHECK(dot_bitwise(encode(zeros, Encoding::Spike, 4, Side::Query), encode(ones, Encoding::Spike, 4, Side::Key),
                    Encoding::Spike, 64, nullptr) == 0);
}

TEST_CASE("bit-operation counts are n^2 x passes x lane words (per coding)") {
  const uint32_t n = 9, d = 100;
  const std::vector<float> q = gaussian(n * d, 1), k = gaussian(n * d, 2), v = gaussian(n * d, 3);
  for (uint32_t lane : {64u, 256u}) {
    const uint64_t W = cdiv(d, lane);
    struct C {
      Encoding e;
      uint32_t T;
      uint64_t passes;
      uint64_t extra;
    };
    for (const C c : {C{Encoding::Sign, 1, 1, 0}, C{Encoding::BitPlane, 2, 4, 0}, C{Encoding::BitPlane, 3, 9, 0},
                      C{Encoding::Spike, 4, 8, 1}}) {
      INFO(encoding_name(c.e) << " T " << c.T << " lane " << lane);
      AttnConfig cfg;
      cfg.enc = c.e;
      cfg.T = c.T;
      cfg.lane_bits = lane;
      const AttnResult r = attention_bitwise(q, k, v, n, n, d, cfg);
      CHECK(r.mismatches == 0);
      CHECK(r.score_counts.popcount_bits == uint64_t{n} * n * c.passes * W * lane);
      CHECK(r.score_counts.lane_words == uint64_t{n} * n * c.passes * W);
      CHECK(r.score_counts.logic_bits == uint64_t{n} * n * (c.passes + c.extra) * W * lane);
    }
  }
}

TEST_CASE("accuracy: cosine does not decrease from T = 1 to T = 4, and INT8 inputs at T = 8 are exact") {
  const uint32_t n = 48, d = 64;
  const std::vector<float> q = gaussian(n * d, 11), k = gaussian(n * d, 12), v = gaussian(n * d, 13);
  const std::vector<double> ref = attention_fp32(q, k, v, n, n, d);
  for (const Encoding enc : {Encoding::BitPlane, Encoding::Spike}) {
    double prev = -1;
    for (uint32_t T : {1u, 2u, 4u}) {
      AttnConfig cfg;
      cfg.enc = enc;
      cfg.T = T;
      const AttnResult r = attention_bitwise(q, k, v, n, n, d, cfg);
      const Accuracy a = compare(r.out, ref);
      INFO(encoding_name(enc) << " T " << T << " cosine " << a.cosine);
      CHECK(a.cosine >= prev);
      CHECK(a.cosine < 1.0);
      prev = a.cosine;
    }
  }
  // INT8 inputs (integers in [-127, 127], each vector reaching 127): T = 8 planes code them exactly.
  std::vector<float> qi(q), ki(k);
  for (auto* t : {&qi, &ki}) {
    for (size_t i = 0; i < t->size(); ++i) (*t)[i] = std::clamp(std::round((*t)[i] * 40.0f), -127.0f, 127.0f);
    for (uint32_t r = 0; r < n; ++r) (*t)[static_cast<size_t>(r) * d] = 127.0f;
  }
  const std::vector<double> ref8 = attention_fp32(qi, ki, v, n, n, d);
  AttnConfig cfg;
  cfg.enc = Encoding::BitPlane;
  cfg.T = 8;
  const Accuracy a = compare(attention_bitwise(qi, ki, v, n, n, d, cfg).out, ref8);
  CHECK(a.cosine == Approx(1.0).epsilon(1e-9));
  CHECK(a.max_rel_err < 1e-5);
  // The binarised context (P and V coded) is checked bit-exactly too and stays close at T = 8.
  cfg.context_bitwise = true;
  cfg.context_T = 8;
  const AttnResult rc = attention_bitwise(qi, ki, v, n, n, d, cfg);
  CHECK(rc.mismatches == 0);
  CHECK(compare(rc.out, ref8).cosine > 0.99);
}

TEST_CASE("integer/LUT softmax is a close, normalised approximation") {
  const std::vector<double> s = {0.3, -1.2, 2.5, 0.0, 1.7, -4.0};
  const auto f = softmax_row(s, Softmax::Fp32), l = softmax_row(s, Softmax::IntLut);
  double sum = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    CHECK(std::fabs(f[i] - l[i]) < 0.03);
    sum += l[i];
  }
  CHECK(sum == Approx(1.0).epsilon(0.01));
}

TEST_CASE("engine tile cycles follow the closed form (lanes, lane width, T, d, n, query rows, banks)") {
  UnitBench b("configs/designs/lpu_bitformer.yaml");
  struct Cfg {
    std::string enc;
    int64_t lanes;
    std::string lb;
    int64_t rows, banks, depth;
  };
  std::vector<Cfg> cfgs = {{"bit_plane", 8, "256", 4, 8, 3},
                           {"sign", 4, "64", 1, 2, 2},
                           {"spike", 16, "512", 8, 16, 4},
                           {"bit_plane", 3, "64", 3, 1, 2}};
  std::vector<std::unique_ptr<ComputeUnit>> units;
  for (size_t i = 0; i < cfgs.size(); ++i) {
    UnitSpec s = b.unit("bitattn");
    s.name = "e" + std::to_string(i);
    s.enums["encoding"] = cfgs[i].enc;
    s.ints["lanes"] = cfgs[i].lanes;
    s.enums["lane_bits"] = cfgs[i].lb;
    s.ints["query_rows"] = cfgs[i].rows;
    s.ints["k_buffer_banks"] = cfgs[i].banks;
    s.ints["adder_tree_depth"] = cfgs[i].depth;
    units.push_back(b.make(s));
  }
  for (size_t i = 0; i < cfgs.size(); ++i) {
    const Cfg& c = cfgs[i];
    const uint64_t B = std::stoull(c.lb);
    for (uint64_t T : {1ull, 2ull, 4ull}) {
      if (c.enc == "sign" && T != 1) continue;
      for (uint64_t d : {64ull, 100ull, 128ull, 600ull}) {
        for (uint64_t m : {1ull, 5ull, 16ull}) {
          for (uint64_t n : {1ull, 37ull, 512ull}) {
            Tile t;
            t.kind = OpKind::Gemm;
            t.m = m, t.k = d, t.n = n, t.a_bits = static_cast<uint32_t>(T), t.w_bits = static_cast<uint32_t>(T);
            t.acc_bits = 24;
            // Independent closed form: P passes and Kp K planes per lane word.
            const uint64_t P = c.enc == "sign" ? 1 : c.enc == "spike" ? 2 * T : T * T;
            const uint64_t Kp = c.enc == "spike" ? T + 1 : T;
            const uint64_t W = cdiv(d, B), g = cdiv(m, c.rows);
            const uint64_t expect = g * std::max(cdiv(n * P * W, c.lanes), cdiv(n * Kp * W, c.banks)) + c.depth + 1;
            INFO(c.enc << " lanes " << c.lanes << " B " << B << " T " << T << " d " << d << " m " << m << " n " << n);
            const TileCost tc = units[i]->cost(t);
            CHECK(tc.cycles == expect);
            CHECK(tc.events[Ev::PopcountTreeBit] == m * n * P * W * B);
            CHECK(tc.events[Ev::KbufReadBit] == g * n * Kp * W * B);
          }
        }
      }
    }
  }
  // Cycles grow linearly in T for spike coding and do not depend on d within a lane word.
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 4, t.n = 256, t.k = 100, t.a_bits = t.w_bits = 2;
  const uint64_t c2 = units[2]->cost(t).cycles;
  t.a_bits = t.w_bits = 4;
  const uint64_t c4 = units[2]->cost(t).cycles;
  t.k = 300;
  CHECK(units[2]->cost(t).cycles == c4);
  CHECK(c4 - 5 == 2 * (c2 - 5));  // minus the adder-tree drain (depth 4) + write stage
}

TEST_CASE("an engine tile simulated in SystemC takes its cycles, and its energy is counted events x prices") {
  UnitBench b("configs/designs/lpu_bitformer.yaml");
  auto cu = b.make(b.unit("bitattn"));
  Tile t;
  t.kind = OpKind::Gemm;
  t.m = 7, t.k = 100, t.n = 301, t.a_bits = t.w_bits = 2, t.acc_bits = 24;
  // lpu_bitformer: bit_plane, 8 lanes x 256 bits, 4 query rows, 8 banks, depth 3.
  const uint64_t g = 2, W = 1, P = 4, Kp = 2;
  const uint64_t cycles = g * std::max(cdiv(301 * P * W, 8), cdiv(301 * Kp * W, 8)) + 3 + 1;
  CHECK(b.run_tile(*cu, t) == cycles);
  ModuleStats st;
  cu->collect(st);
  const EventCounts& e = st.per_key[0];
  const uint64_t scores = 7 * 301;
  CHECK(e[Ev::BitLogicBit] == scores * P * 256);
  CHECK(e[Ev::PopcountTreeBit] == scores * P * 256);
  CHECK(e[Ev::AdderTreeBit] == scores * (P * W - 1 + 3) * 24);
  CHECK(e[Ev::ScoreAccWriteBit] == scores * 24);
  CHECK(e[Ev::KbufReadBit] == g * 301 * Kp * 256);
  CHECK(e[Ev::KbufWriteBit] == 301 * Kp * 256);
  const TechTable& tech = b.design.tech;
  const SramClass& kb = tech.sram_class(64);
  const double expect_pj = e[Ev::BitLogicBit] * tech.event_pj.at("bit_logic") +
                           e[Ev::PopcountTreeBit] * tech.event_pj.at("popcount_tree_bit") +
                           e[Ev::AdderTreeBit] * tech.event_pj.at("adder_tree_bit") +
                           e[Ev::ScoreAccWriteBit] * tech.event_pj.at("score_acc_write_bit") +
                           e[Ev::KbufReadBit] * kb.read_pj_per_bit + e[Ev::KbufWriteBit] * kb.write_pj_per_bit;
  const EnergyBreakdown pj = price(e, st.prices);
  CHECK(pj.total() == Approx(expect_pj).epsilon(1e-12));
  CHECK(pj[EnergyClass::Sram] ==
        Approx(e[Ev::KbufReadBit] * kb.read_pj_per_bit + e[Ev::KbufWriteBit] * kb.write_pj_per_bit));
}

TEST_CASE("engine encoder tile: two passes over the encoder lanes, compares per coding") {
  UnitBench b("configs/designs/lpu_bitformer.yaml");
  auto cu = b.make(b.unit("bitattn"));
  Tile t;
  t.kind = OpKind::Vector;
  t.vop = VecOp::Quantize;
  t.elements = 1000;
  t.a_bits = 2;
  t.out_bits = 2;
  const TileCost c = cu->cost(t);
  CHECK(c.cycles == cdiv(2 * 1000, 64) + 1);
  CHECK(c.events[Ev::EncoderCompare] == 1000 * (1 + 2));
  CHECK(popcount_encoder_compares("sign", 1) == 1);
  CHECK(popcount_encoder_compares("bit_plane", 4) == 4);
  CHECK(popcount_encoder_compares("spike", 4) == 3 + 1);
  CHECK(popcount_encoder_compares("spike", 7) == 3 + 1);
}

TEST_CASE("KV cache footprint and KV DRAM traffic follow the coding width T") {
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  const uint64_t tokens = w.scenario.prompt_tokens + w.scenario.generated_tokens - 1;
  const uint64_t per_layer_elems = w.scenario.batch * w.model.kv_dim() * tokens;
  uint64_t prev = 0;
  for (int64_t T : {1, 2, 4}) {
    DesignSpec d = load_design(src("configs/designs/lpu_bitformer.yaml"));
    for (auto& u : d.units) {
      if (u.name == "bitattn") u.ints["T"] = T;
    }
    // Every layer: K T bits, V 16 bits (context stays FP16).
    const uint64_t expect = 2 * per_layer_elems * (T + 16) / 8;
    const Footprint f = footprint(w, d);
    CHECK(f.kv_cache == expect);
    CHECK(f.kv_cache > prev);
    prev = f.kv_cache;
    // One decode step: attn_score of layer 1 loads KVH x kv_len x D x T bits of coded K.
    const Program p = compile(w, d, true);
    uint64_t k_bytes = 0;
    for (const auto& po : p.ops) {
      if (po.op.name != "attn_score" || po.op.layer != 1) continue;
      for (uint32_t i = 0; i < po.num_tiles; ++i) k_bytes += p.tiles[po.first_tile + i].load_weight_bytes;
    }
    const uint64_t kv_len = w.scenario.prompt_tokens + 1;
    CHECK(k_bytes == w.scenario.batch * w.model.kv_heads * kv_len * w.model.head_dim() * T / 8);
  }
  // kv_cache: full keeps 16-bit K in DRAM; qk_encode reads the whole K cache every pass and
  // spills its coded copy (T = 2 bits) for attn_score.
  DesignSpec full = load_design(src("configs/designs/lpu_bitformer.yaml"));
  full.attention.kv_cache = "full";
  CHECK(footprint(w, full).kv_cache == 2 * per_layer_elems * 32 / 8);
  const Program pf = compile(w, full, true);
  const uint64_t cache_elems = w.scenario.batch * (w.scenario.prompt_tokens + 1) * w.model.kv_dim();
  uint64_t rd = 0, st = 0;
  for (const auto& po : pf.ops) {
    if (po.op.name != "qk_encode" || po.op.layer != 1) continue;
    CHECK(po.note.find("the full-precision cache is read and coded every pass") != std::string::npos);
    for (uint32_t i = 0; i < po.num_tiles; ++i) {
      rd += pf.tiles[po.first_tile + i].load_weight_bytes;
      st += pf.tiles[po.first_tile + i].store_bytes;
    }
  }
  CHECK(rd == cache_elems * 2);
  CHECK(st == cache_elems * 2 / 8);
  // Without the section the cache is 16 bits per element everywhere.
  CHECK(footprint(w, load_design(src("configs/designs/lpu_64x64.yaml"))).kv_cache == 2 * per_layer_elems * 32 / 8);
}

TEST_CASE("decode on lpu_bitformer puts attn_score on the engine and the report says which path each op took") {
  const std::string out =
      std::filesystem::temp_directory_path() / ("lpusim_popcount_run_" + std::to_string(::getpid()));
  CmdResult r = run_lpusim(
      "run " + src("configs/designs/lpu_bitformer.yaml") + " " + src("tests/data/tiny.yaml") + " -o " + out, "pc_run");
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(read_file(out + "/report.json"));
  const auto& d = j["designs"][0];
  bool score_on_engine = false, encode_on_engine = false;
  for (const auto& op : d["ops"]) {
    if (op["phase"] == "decode" && op["op"] == "attn_score" && op["unit"] == "bitattn") score_on_engine = true;
    if (op["phase"] == "decode" && op["op"] == "qk_encode" && op["unit"] == "bitattn") {
      encode_on_engine = true;
      CHECK(op["events"]["encoder_compare"].get<uint64_t>() > 0);
    }
  }
  CHECK(score_on_engine);
  CHECK(encode_on_engine);
  // Attention-only totals are the sum of the attention op rows.
  uint64_t attn_cycles = 0;
  double attn_pj = 0;
  for (const auto& op : d["ops"]) {
    const std::string n = op["op"];
    if (n == "qk_encode" || n == "kv_append" || n == "attn_score" || n == "softmax" || n == "pv_encode" ||
        n == "attn_context") {
      attn_cycles += op["cycles"].get<uint64_t>();
      attn_pj += op["energy_pj"]["total"].get<double>();
    }
  }
  CHECK(attn_cycles > 0);
  CHECK(d["totals"]["attention_cycles"].get<uint64_t>() == attn_cycles);
  CHECK(d["totals"]["attention_energy_pj"]["total"].get<double>() == Approx(attn_pj));
  CHECK(attn_cycles < d["totals"]["total_cycles"].get<uint64_t>());
  std::string notes;
  for (const auto& n : d["notes"]) notes += n.get<std::string>() + "\n";
  CHECK(notes.find("attn_score -> bitattn: scores on popcount engine bitattn (bit_plane, T=2)") != std::string::npos);
  CHECK(notes.find("kv_append -> vec: appends K (2 bits/element)") != std::string::npos);
  CHECK(notes.find("softmax -> vec: FP16 softmax") != std::string::npos);
  CHECK(r.out.find("note [lpu_bitformer] attn_score -> bitattn") != std::string::npos);
}

TEST_CASE("design mapping variants: context on the engine, int_lut softmax, encoder on the vector unit") {
  const std::string dir = temp_tree("pc_variants");
  std::string t = read_file(dir + "/configs/designs/lpu_bitformer.yaml");
  t = replace_once(t, "  softmax: fp16\n  context: fp16\n", "  softmax: int_lut\n  context: popcount\n");
  t = replace_once(t, "    encoder: engine\n", "    encoder: vector\n");
  t = replace_once(t, "  kv_cache: binarised\n",
                   "  kv_cache: binarised\n  layer_overrides:\n    - {layers: [0], scores: fp16}\n");
  write_file(dir + "/configs/designs/v.yaml", t);
  const DesignSpec d = load_design(dir + "/configs/designs/v.yaml");
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  const Program p = compile(w, d, true);
  std::map<std::string, std::string> unit_of, note_of;
  for (const auto& po : p.ops) {
    if (po.op.layer == 0 && po.op.name == "attn_score") {
      CHECK(po.unit_name == "fpmac");  // layer override: FP16 scores
      CHECK(po.note == "attention on fp16 path");
    }
    if (po.op.layer != 1) continue;
    unit_of[po.op.name] = po.unit_name;
    note_of[po.op.name] = po.note;
  }
  CHECK(unit_of["attn_context"] == "bitattn");
  CHECK(unit_of["qk_encode"] == "vec");
  CHECK(unit_of["pv_encode"] == "vec");
  CHECK(note_of["softmax"] == "integer/LUT softmax on the vector unit");
  CHECK(note_of["attn_context"].find("context on popcount engine") != std::string::npos);
  // Context tiles are P (unsigned, context_T planes) x V (context_T planes).
  for (const auto& po : p.ops) {
    if (po.op.name != "attn_context" || po.op.layer != 1) continue;
    const Tile& tl = p.tiles[po.first_tile];
    CHECK(tl.a_unsigned);
    CHECK(tl.a_bits == 4);
    CHECK(tl.w_bits == 4);
  }
  // V is stored coded too: layer 0 K 16 bits (FP16 scores) and V 4 bits, layer 1 K 2 and V 4 bits.
  const uint64_t tokens = w.scenario.prompt_tokens + w.scenario.generated_tokens - 1;
  const uint64_t e = w.scenario.batch * w.model.kv_dim() * tokens;
  CHECK(footprint(w, d).kv_cache == (e * (16 + 4) + e * (2 + 4)) / 8);
}

TEST_CASE("bad popcount configurations are clear errors") {
  const std::string dir = temp_tree("pc_bad");
  const std::string good =
      replace_once(read_file(dir + "/configs/designs/lpu_bitformer.yaml"), "  kv_cache: binarised\n",
                   "  kv_cache: binarised\n  layer_overrides:\n    - {layers: [0], scores: fp16}\n");
  struct Bad {
    std::string from, to, expect;
  };
  const std::vector<Bad> bads = {
      {"    encoding: bit_plane\n", "    encoding: sign\n", "units.bitattn.T: encoding sign codes 1 bit per element"},
      {"    adder_tree_depth: 3\n", "    adder_tree_depth: 2\n",
       "units.bitattn.adder_tree_depth: expected 2^adder_tree_depth >= lanes (8)"},
      {"    lane_bits: 256\n", "    lane_bits: 128\n", "units.bitattn.lane_bits"},
      {"  engine: bitattn\n", "  engine: fpmac\n", "attention.engine: unit 'fpmac' is a fp16_mac_array"},
      {"  engine: bitattn\n", "  engine: nope\n", "attention.engine: no unit named 'nope'"},
      {"  softmax: fp16\n", "  softmax: exp\n", "attention.softmax"},
      {"  context: fp16\n", "  context: ternary_lut\n", "attention.context"},
      {"  kv_cache: binarised\n", "  kv_cache: binarised\n  colour: red\n", "attention"},
      {"    ops: [rmsnorm, layernorm, softmax, softmax_lut,", "    ops: [rmsnorm, layernorm, softmax,",
       "attention.layer_overrides"},
      {"    - {layers: [0], scores: fp16}\n", "    - {layers: [0, 0], scores: fp16}\n", "overridden twice"},
  };
  for (size_t i = 0; i < bads.size(); ++i) {
    std::string t = replace_once(good, bads[i].from, bads[i].to);
    if (i == 8) t = replace_once(t, "    - {layers: [0], scores: fp16}\n", "    - {layers: [0], softmax: int_lut}\n");
    const std::string path = dir + "/configs/designs/bad" + std::to_string(i) + ".yaml";
    write_file(path, t);
    INFO(bads[i].to);
    try {
      load_design(path);
      FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.find("bad" + std::to_string(i) + ".yaml:") != std::string::npos);
      CHECK(msg.find(bads[i].expect) != std::string::npos);
    }
  }
  // A layer override beyond the workload's layers is an error when compiling.
  write_file(dir + "/configs/designs/l.yaml", replace_once(good, "layers: [0]", "layers: [5]"));
  const DesignSpec d = load_design(dir + "/configs/designs/l.yaml");
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  CHECK_THROWS_WITH(compile(w, d, true), Catch::Contains("layer 5 does not exist (workload tiny has 2 layers)"));
}

TEST_CASE("attention-accuracy prints per-layer accuracy and cost per T and writes CSV/JSON") {
  const std::string out =
      std::filesystem::temp_directory_path() / ("lpusim_popcount_acc_" + std::to_string(::getpid()));
  CmdResult r = run_lpusim("attention-accuracy " + src("configs/designs/lpu_bitformer.yaml") + " " +
                               src("tests/data/tiny.yaml") + " --T 1,2,4 --seq 32 -o " + out,
                           "pc_acc");
  REQUIRE(r.code == 0);
  CHECK(r.out.find("SYNTHETIC") != std::string::npos);
  CHECK(r.out.find("0 mismatches") != std::string::npos);
  const auto j = nlohmann::json::parse(read_file(out + "/attention_accuracy.json"));
  std::map<std::string, double> cos1;
  std::map<std::string, uint64_t> cyc1, cyc_all;
  for (const auto& row : j["rows"]) {
    cyc_all[row["variant"]] += row["cycles"].get<uint64_t>();
    if (row["layer"] != 1) continue;
    cos1[row["variant"]] = row["cosine"];
    cyc1[row["variant"]] = row["cycles"];
  }
  REQUIRE(cos1.size() == 4);
  CHECK(cos1["T=1"] <= cos1["T=2"]);
  CHECK(cos1["T=2"] <= cos1["T=4"]);
  CHECK(cos1["fp16 attention"] == 1.0);
  CHECK(cyc1["T=1"] > 0);
  // More planes cost more over the model. (Not per layer: a layer's critical-path share moves with how
  // its ops overlap the previous layer's tail; in layer 1 T=4 comes out 20 cycles below T=1.)
  CHECK(cyc_all["T=1"] <= cyc_all["T=4"]);
  CHECK(read_file(out + "/attention_accuracy.csv").rfind("layer,variant,path,cosine", 0) == 0);
  // Deterministic: the same seed gives byte-identical files.
  CmdResult r2 = run_lpusim("attention-accuracy " + src("configs/designs/lpu_bitformer.yaml") + " " +
                                src("tests/data/tiny.yaml") + " --T 1,2,4 --seq 32",
                            "pc_acc2");
  CHECK(r2.out == r.out.substr(0, r.out.find("wrote ")));
  CHECK(run_lpusim("attention-accuracy " + src("configs/designs/lpu_64x64.yaml") + " " + src("tests/data/tiny.yaml"),
                   "pc_acc3")
            .code == 2);
}

TEST_CASE("attention-accuracy: a lane-width sweep changes cost, not values; sign engines only take T = 1") {
  const std::string out = std::filesystem::temp_directory_path() / ("lpusim_popcount_lb_" + std::to_string(::getpid()));
  CmdResult r = run_lpusim("attention-accuracy " + src("configs/designs/lpu_bitformer.yaml") + " " +
                               src("tests/data/tiny.yaml") + " --T 2 --lane-bits 64,512 --seq 16 -o " + out,
                           "pc_lb");
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(read_file(out + "/attention_accuracy.json"));
  std::map<std::string, nlohmann::json> row;
  for (const auto& x : j["rows"]) {
    if (x["layer"] == 1) row[x["variant"]] = x;
  }
  REQUIRE(row.count("T=2 B=64"));
  REQUIRE(row.count("T=2 B=512"));
  CHECK(row["T=2 B=64"]["cosine"] == row["T=2 B=512"]["cosine"]);
  // head_dim 64: one 64-bit word vs one mostly-padding 512-bit word per vector.
  CHECK(row["T=2 B=64"]["energy_pj"].get<double>() < row["T=2 B=512"]["energy_pj"].get<double>());
  CHECK(run_lpusim("attention-accuracy " + src("configs/designs/lpu_bitformer.yaml") + " " +
                       src("tests/data/tiny.yaml") + " --lane-bits 128",
                   "pc_lb2")
            .code == 2);

  const std::string dir = temp_tree("pc_sign");
  std::string t = read_file(dir + "/configs/designs/lpu_bitformer.yaml");
  t = replace_once(replace_once(t, "    encoding: bit_plane\n", "    encoding: sign\n"), "    T: 2\n", "    T: 1\n");
  write_file(dir + "/configs/designs/s.yaml", t);
  CmdResult s = run_lpusim(
      "attention-accuracy " + dir + "/configs/designs/s.yaml " + src("tests/data/tiny.yaml") + " --T 1,2", "pc_sign");
  CHECK(s.code == 2);
  CHECK(s.err.find("needs a bit_plane or spike engine") != std::string::npos);
}

TEST_CASE("the unit counts the same bit operations as the functional model for the same attention") {
  UnitBench b("configs/designs/lpu_bitformer.yaml");
  std::vector<std::unique_ptr<ComputeUnit>> units;
  const std::vector<std::string> encs = {"sign", "bit_plane", "spike"};
  for (const auto& e : encs) {
    UnitSpec s = b.unit("bitattn");
    s.name = "u_" + e;
    s.enums["encoding"] = e;
    units.push_back(b.make(s));
  }
  const uint32_t nq = 6, nk = 11, d = 100;
  const std::vector<float> q = gaussian(nq * d, 21), k = gaussian(nk * d, 22), v = gaussian(nk * d, 23);
  for (size_t i = 0; i < encs.size(); ++i) {
    const uint32_t T = encs[i] == "sign" ? 1 : 3;
    AttnConfig cfg;
    cfg.enc = parse_encoding(encs[i]);
    cfg.T = T;
    cfg.lane_bits = 256;
    cfg.context_bitwise = true;
    cfg.context_T = 2;
    const AttnResult r = attention_bitwise(q, k, v, nq, nk, d, cfg);
    REQUIRE(r.mismatches == 0);
    // Scores: m = nq, k = d, n = nk.
    Tile t;
    t.kind = OpKind::Gemm;
    t.m = nq, t.k = d, t.n = nk, t.a_bits = t.w_bits = T, t.acc_bits = 24;
    TileCost c = units[i]->cost(t);
    INFO(encs[i]);
    CHECK(c.events[Ev::BitLogicBit] == r.score_counts.logic_bits);
    CHECK(c.events[Ev::PopcountTreeBit] == r.score_counts.popcount_bits);
    CHECK(c.events[Ev::AdderTreeBit] == (r.score_counts.lane_words - nq * nk + r.score_counts.correction_adds) * 24);
    // Context: m = nq, k = nk, n = d; P unsigned with context_T planes, V context_T (sign: 1).
    t.k = nk, t.n = d, t.a_bits = 2, t.w_bits = encs[i] == "sign" ? 1 : 2, t.a_unsigned = true;
    c = units[i]->cost(t);
    CHECK(c.events[Ev::BitLogicBit] == r.context_counts.logic_bits);
    CHECK(c.events[Ev::PopcountTreeBit] == r.context_counts.popcount_bits);
    CHECK(c.events[Ev::AdderTreeBit] == (r.context_counts.lane_words - nq * d + r.context_counts.correction_adds) * 24);
  }
}

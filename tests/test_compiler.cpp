// Compiler: the op graph's MACs equal the closed form from the model shape; the tiles of every
// op cover exactly its MACs and fit their buffers; weight footprint equals the packed closed form.
#include <catch2/catch.hpp>

#include <map>

#include "compiler/capacity.h"
#include "compiler/compiler.h"
#include "config/loaders.h"
#include "helpers.h"
#include "ir/graph.h"

using namespace lpusim;
using namespace lpusim_test;

TEST_CASE("graph MACs equal the closed form, prefill and every decode step") {
  for (const char* f : {"workloads/bitnet_b158_3b.yaml", "workloads/bitnet_b158_70b.yaml",
                        "workloads/bitnet_b158_2b4t.yaml", "tests/data/tiny.yaml"}) {
    INFO(f);
    WorkloadSpec w = load_workload(src(f));
    w.scenario.generated_tokens = 6;
    auto ops = build_graph(w, GraphOptions{true});
    const ModelSpec& m = w.model;
    // Independent closed form, written out: per layer and token 2H^2 + 2H*KV + 3HF (gated),
    // attention 2 * heads * T * L * head_dim per sequence, LM head H*V for the last position.
    const uint64_t B = w.scenario.batch, P = w.scenario.prompt_tokens, H = m.hidden, F = m.ffn,
                   KV = m.kv_heads * (m.hidden / m.heads), V = m.vocab, D = m.hidden / m.heads;
    const uint64_t lin = 2 * H * H + 2 * H * KV + 3 * H * F;
    CHECK(graph_macs(ops, Phase::Prefill, 0) == m.layers * (B * P * lin + 2 * B * m.heads * P * P * D) + B * H * V);
    CHECK(graph_macs(ops, Phase::Prefill, 0) == closed_form_prefill_macs(w));
    for (int s = 1; s < 6; ++s) {
      const uint64_t L = P + s;
      CHECK(graph_macs(ops, Phase::Decode, s) == m.layers * (B * lin + 2 * B * m.heads * L * D) + B * H * V);
      CHECK(graph_macs(ops, Phase::Decode, s) == closed_form_decode_step_macs(w, L));
    }
  }
}

TEST_CASE("3B prefill MACs, worked by hand") {
  WorkloadSpec w = load_workload(src("workloads/bitnet_b158_3b.yaml"));
  // Per token per layer: 4 * 3200^2 + 3 * 3200 * 8640 = 40,960,000 + 82,944,000 = 123,904,000.
  // Attention: 2 * 32 * 512 * 512 * 100 = 1,677,721,600 per layer. LM head: 3200 * 32000.
  const uint64_t expect = 26ull * (512ull * 123904000ull + 1677721600ull) + 3200ull * 32000ull;
  CHECK(closed_form_prefill_macs(w) == expect);
}

TEST_CASE("tiles cover every op's MACs exactly and fit the buffers") {
  for (const char* d : {"configs/designs/lpu_64x64.yaml", "configs/designs/fp16_64x64.yaml"}) {
    DesignSpec ds = load_design(src(d));
    WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
    Program p = compile(w, ds);
    std::vector<uint64_t> tile_macs(p.ops.size()), tile_elems(p.ops.size());
    for (const Tile& t : p.tiles) {
      tile_macs[t.op] += t.m * t.k * t.n;
      tile_elems[t.op] += t.elements;
      if (t.kind == OpKind::Gemm) {
        CHECK(t.load_weight_bytes * 8 <= ds.weight_buffer.bytes() * 8 / 2);
        CHECK(t.m * (t.k * t.a_bits + t.n * t.acc_bits) <= ds.activation_buffer.bytes() * 8 / 2);
      }
    }
    for (size_t i = 0; i < p.ops.size(); ++i) {
      INFO(d << " " << p.ops[i].op.name);
      if (p.ops[i].op.kind == OpKind::Gemm)
        CHECK(tile_macs[i] == p.ops[i].op.macs());
      else
        CHECK(tile_elems[i] == p.ops[i].op.elements);
    }
  }
}

TEST_CASE("ternary layers go to the ternary array on the LPU and to FP16 on the baseline") {
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  DesignSpec lpu = load_design(src("configs/designs/lpu_64x64.yaml"));
  DesignSpec fp = load_design(src("configs/designs/fp16_64x64.yaml"));
  Program pl = compile(w, lpu), pf = compile(w, fp);
  std::map<std::string, std::string> ul, uf;
  for (const auto& o : pl.ops) ul[o.op.name] = o.unit_name;
  for (const auto& o : pf.ops) uf[o.op.name] = o.unit_name;
  CHECK(ul["q_proj"] == "tmac");
  CHECK(ul["ffn_down"] == "tmac");
  CHECK(ul["lm_head"] == "fpmac");
  CHECK(ul["attn_score"] == "fpmac");
  CHECK(ul.count("attn_quant") == 1);
  CHECK(uf["q_proj"] == "fpmac");
  CHECK(uf.count("attn_quant") == 0);  // the FP16 model has no activation quantisation
}

TEST_CASE("sampled zero weights follow the workload's zero fraction and repeat across steps") {
  WorkloadSpec w = load_workload(src("workloads/bitnet_b158_3b.yaml"));
  w.scenario.generated_tokens = 3;
  DesignSpec lpu = load_design(src("configs/designs/lpu_64x64.yaml"));
  Program p = compile(w, lpu);
  uint64_t weights = 0, nonzero = 0;
  std::map<std::tuple<int, std::string, int>, std::vector<uint64_t>> per_step;
  for (const Tile& t : p.tiles) {
    const Op& op = p.ops[t.op].op;
    if (t.kind != OpKind::Gemm || op.wclass != WeightClass::Ternary) continue;
    if (op.phase == Phase::Decode) per_step[{op.layer, op.name, op.step}].push_back(t.w_nonzero);
    if (op.phase == Phase::Decode && op.step == 1) {
      weights += t.k * t.n;
      nonzero += t.w_nonzero;
    }
  }
  const double zero_frac = 1.0 - static_cast<double>(nonzero) / static_cast<double>(weights);
  CHECK(zero_frac == Approx(0.31).margin(0.001));
  CHECK(per_step[{3, "q_proj", 1}] == per_step[{3, "q_proj", 2}]);
  CHECK(per_step[{3, "q_proj", 1}] != per_step[{4, "q_proj", 1}]);
}

TEST_CASE("weight footprint equals the packed closed form") {
  WorkloadSpec w = load_workload(src("workloads/bitnet_b158_3b.yaml"));
  DesignSpec lpu = load_design(src("configs/designs/lpu_64x64.yaml"));
  DesignSpec fp = load_design(src("configs/designs/fp16_64x64.yaml"));
  const uint64_t H = 3200, F = 8640, V = 32000, L = 26;
  // FP16 tied embedding/LM head + 2 norms per layer + final norm, FP16 on both designs.
  const uint64_t fp16_common = V * H * 2 + (2 * L + 1) * H * 2;
  // packed2: 4 weights per byte, one FP32 scale per tensor (7 tensors per layer).
  const uint64_t packed2 = L * (4 * (H * H / 4) + 3 * (H * F / 4) + 7 * 4);
  Footprint fl = footprint(w, lpu);
  CHECK(fl.ternary_weights == packed2);
  CHECK(fl.weights == packed2 + fp16_common);
  Footprint ff = footprint(w, fp);
  CHECK(ff.weights == L * (4 * H * H + 3 * H * F) * 2 + fp16_common);
  CHECK(ff.ternary_weights == 0);
  // base3: 5 trits per byte, rounded up per tensor.
  DesignSpec b3 = lpu;
  for (auto& u : b3.units) {
    if (u.impl == "ternary_mac_array") u.enums["weight_format"] = "base3";
  }
  const uint64_t base3 = L * (4 * ((H * H + 4) / 5) + 3 * ((H * F + 4) / 5) + 7 * 4);
  CHECK(footprint(w, b3).ternary_weights == base3);
  // KV cache: 2 (K, V) x layers x kv_dim x (prompt + generated - 1) tokens x 2 bytes.
  CHECK(fl.kv_cache == 2 * L * H * (512 + 128 - 1) * 2);
}

TEST_CASE("a buffer too small for one tile row is a clear error") {
  DesignSpec d = load_design(src("configs/designs/fp16_64x64.yaml"));
  // 64 B: not even one row of a K slice plus one array-width of accumulators fits (the mapper splits K,
  // so a buffer that only misses a full-K row is no longer an error).
  d.activation_buffer.size_kib = 0.0625;
  WorkloadSpec w = load_workload(src("workloads/bitnet_b158_3b.yaml"));
  CHECK_THROWS_WITH(compile(w, d), Catch::Contains("activation buffer half (32 B) cannot hold"));
}

TEST_CASE("peak buffer occupancy: tiles in flight never overflow a buffer, and a full-K weight tile pair fills it") {
  WorkloadSpec w = load_workload(src("tests/data/tiny.yaml"));
  for (const char* design : {"configs/designs/lpu_64x64.yaml", "configs/designs/fp16_64x64.yaml"}) {
    DesignSpec d = load_design(src(design));
    const BufferOccupancy occ = peak_buffer_occupancy(compile(w, d));
    CHECK(occ.weight_bytes <= d.weight_buffer.bytes());
    CHECK(occ.activation_bytes <= d.activation_buffer.bytes());
    CHECK(occ.weight_bytes > 0);
  }
  // 64 KiB weight buffer: whatever tiles the mapper picks, the tiles in flight stay within it.
  DesignSpec d = load_design(src("configs/designs/lpu_64x64.yaml"));
  d.weight_buffer.size_kib = 64;
  const BufferOccupancy small = peak_buffer_occupancy(compile(w, d));
  CHECK(small.weight_bytes <= 64 * 1024);
  CHECK(small.weight_bytes > 32 * 1024);
}

TEST_CASE("the longest context that fits DRAM is the last one whose footprint fits") {
  WorkloadSpec w = load_workload(src("workloads/bitnet_b158_3b.yaml"));
  DesignSpec d = load_design(src("configs/designs/lpu_64x64.yaml"));
  const int64_t ctx = max_context_in_dram(w, d);
  REQUIRE(ctx > 512);
  const uint64_t cap = static_cast<uint64_t>(d.dram.capacity_gib * 1024.0 * 1024.0 * 1024.0);
  auto peak_at = [&](int64_t c) {
    WorkloadSpec x = w;
    x.scenario.prompt_tokens = c;
    x.scenario.generated_tokens = 1;
    return footprint(x, d).peak();
  };
  CHECK(peak_at(ctx) <= cap);
  CHECK(peak_at(ctx + 1) > cap);
  d.dram.capacity_gib = 0;
  CHECK(max_context_in_dram(w, d) == -1);  // no capacity stated: not checked
}

// `lpusim attention-accuracy DESIGN WORKLOAD`: per layer, how far the popcount engine's attention
// output is from FP32 attention on the same (synthetic) inputs for each T, next to what that
// layer's attention costs in cycles and energy on the design.
#include "base/atomic_output.h"
#include "config/loaders.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "base/config_error.h"
#include "cli/command.h"
#include "compiler/estimate.h"
#include "datapath/bitattn.h"
#include "simulate/simulate.h"

namespace lpusim {

namespace {

using json = nlohmann::ordered_json;

const std::set<std::string> kAttnOps = {"qk_encode", "kv_append", "attn_score", "softmax", "pv_encode", "attn_context"};

struct Options {
  std::string design, workload, out_dir;
  std::vector<uint32_t> Ts = {1, 2, 4};
  std::vector<uint32_t> lane_bits;  // empty: the design's
  int64_t seq = 64;
  uint64_t seed = 1;
};

// Seeded N(0,1) tensor; the stream depends on (seed, layer, tensor, head) only.
std::vector<float> synthetic(uint64_t seed, int layer, int tensor, int head, size_t n) {
  std::seed_seq sq{seed, static_cast<uint64_t>(layer), static_cast<uint64_t>(tensor), static_cast<uint64_t>(head)};
  std::mt19937_64 rng(sq);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = nd(rng);
  return v;
}

struct Cost {
  uint64_t cycles = 0;
  double energy_pj = 0;
};

// Cycles and energy (dynamic + leakage share, as in the report) of layer l's attention ops.
Cost layer_attention_cost(const DesignRun& r, int layer) {
  Cost c;
  double leak_uw = 0;
  for (const auto& m : r.modules) leak_uw += m.leakage_uw;
  const auto& keys = r.program.keys;
  for (size_t k = 0; k < keys.size(); ++k) {
    if (keys[k].layer != layer || !kAttnOps.count(keys[k].name)) continue;
    c.cycles += r.key_cycles[k];
    c.energy_pj += leak_uw * static_cast<double>(r.key_cycles[k]) * r.design.cycle_ns() * 1e-3;
    for (const auto& m : r.modules) {
      if (k < m.per_key.size()) c.energy_pj += price(m.per_key[k], m.prices).total();
    }
  }
  return c;
}

struct Row {
  int layer;
  std::string variant, path;
  double cosine, max_rel_err;
  uint64_t cycles;
  double energy_pj;
  uint64_t mismatches;
};

int run_attention_accuracy(const Options& o, const CommandLine& cl) {
  if (!o.out_dir.empty()) check_output_dir(o.out_dir);
  const DesignSpec base = load_design(o.design);
  if (!base.attention.present) {
    throw ConfigError(o.design + ": attention-accuracy needs a design with an `attention:` section");
  }
  WorkloadSpec w = load_workload(o.workload);
  w.scenario.batch = 1;
  // Cost: one decode step at context seq (prompt seq - 1, then the step's own token).
  w.scenario.prompt_tokens = o.seq - 1;
  w.scenario.generated_tokens = 2;

  const UnitSpec& eng = *attention_engine(base);
  const bitattn::Encoding enc = bitattn::parse_encoding(eng.e("encoding"));
  for (uint32_t T : o.Ts) {
    if (enc == bitattn::Encoding::Sign && T != 1) {
      throw ConfigError(o.design + ": units." + eng.name + ".encoding: sign codes 1 bit per element; --T " +
                        std::to_string(T) + " needs a bit_plane or spike engine");
    }
    if (enc == bitattn::Encoding::BitPlane && T > 16) cl.usage("--T: bit_plane supports at most 16 planes");
  }
  // One design per (T, lane width) (the engine's parameters replaced) plus the same design with
  // FP16 attention.
  struct Variant {
    uint32_t T, lane_bits;
  };
  std::vector<Variant> variants;
  std::vector<uint32_t> lbs = o.lane_bits;
  if (lbs.empty()) lbs.push_back(static_cast<uint32_t>(std::stoul(eng.e("lane_bits"))));
  for (uint32_t T : o.Ts) {
    for (uint32_t B : lbs) variants.push_back({T, B});
  }
  std::vector<DesignSpec> designs;
  for (const Variant& va : variants) {
    DesignSpec d = base;
    d.name = base.name + "_T" + std::to_string(va.T) + "_B" + std::to_string(va.lane_bits);
    for (auto& u : d.units) {
      if (u.name != eng.name) continue;
      u.ints["T"] = va.T;
      u.enums["lane_bits"] = std::to_string(va.lane_bits);
    }
    designs.push_back(d);
  }
  const bool have_fp16 = base.first_with(Capability::ActGemm) != nullptr;
  if (have_fp16) {
    DesignSpec d = base;
    d.name = base.name + "_fp16attn";
    d.attention = AttentionSpec{};
    designs.push_back(d);
  }
  {
    // Before simulating: the decode steps' tiles (compiler/estimate.h) and the functional tensors
    // (Q, K, V and their codes per head, a score row per query).
    const double n = static_cast<double>(o.seq), D = static_cast<double>(w.model.head_dim());
    const double tensors = 12.0 * n * D * static_cast<double>(w.model.heads + 2 * w.model.kv_heads) + 8.0 * n * n;
    const double need = estimate_work(w, designs, true).host_bytes + tensors, limit = default_max_memory_bytes();
    if (need > limit) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "--seq %lld: needs about %.3g GiB of host memory, more than %.3g GiB (3/4 of RAM)",
                    static_cast<long long>(o.seq), need / (1024.0 * 1024 * 1024), limit / (1024.0 * 1024 * 1024));
      throw ConfigError(buf);
    }
  }
  const SimulationRun run = simulate(w, designs, true);

  const ModelSpec& m = w.model;
  const uint32_t n = static_cast<uint32_t>(o.seq), D = static_cast<uint32_t>(m.head_dim());
  const size_t mat = static_cast<size_t>(n) * D;
  std::vector<Row> rows;
  uint64_t total_mismatches = 0;
  for (int l = 0; l < m.layers; ++l) {
    const AttentionLayerPath& p = base.attention.path(l);
    // Inputs of the layer: Q per query head, K and V per KV head.
    std::vector<std::vector<float>> q(m.heads), k(m.kv_heads), v(m.kv_heads);
    for (int h = 0; h < m.heads; ++h) q[h] = synthetic(o.seed, l, 0, h, mat);
    for (int h = 0; h < m.kv_heads; ++h) {
      k[h] = synthetic(o.seed, l, 1, h, mat);
      v[h] = synthetic(o.seed, l, 2, h, mat);
    }
    std::vector<double> ref;
    for (int h = 0; h < m.heads; ++h) {
      auto r = bitattn::attention_fp32(q[h], k[h / m.group()], v[h / m.group()], n, n, D);
      ref.insert(ref.end(), r.begin(), r.end());
    }
    for (size_t vi = 0; vi < designs.size(); ++vi) {
      const bool fp16 = have_fp16 && vi + 1 == designs.size();
      Row row{};
      row.layer = l;
      row.variant = fp16 ? "fp16 attention" : "T=" + std::to_string(variants[vi].T);
      if (!fp16 && lbs.size() > 1) row.variant += " B=" + std::to_string(variants[vi].lane_bits);
      const bool bitwise = !fp16 && (p.scores == "popcount" || p.context == "popcount");
      row.path = fp16 ? "fp16" : "scores " + p.scores + ", softmax " + p.softmax + ", context " + p.context;
      if (bitwise || (!fp16 && p.softmax == "int_lut")) {
        bitattn::AttnConfig cfg;
        cfg.enc = enc;
        cfg.T = variants[vi].T;
        cfg.scores_bitwise = p.scores == "popcount";
        cfg.softmax = p.softmax == "int_lut" ? bitattn::Softmax::IntLut : bitattn::Softmax::Fp32;
        cfg.context_bitwise = p.context == "popcount";
        cfg.context_T = static_cast<uint32_t>(eng.i("context_T"));
        cfg.lane_bits = variants[vi].lane_bits;
        // The lane width changes counts, not values: reuse the result of the same T.
        const size_t first = vi - vi % lbs.size();
        if (vi != first) {
          const Row& same = rows[rows.size() - (vi - first)];
          row.cosine = same.cosine;
          row.max_rel_err = same.max_rel_err;
        } else {
          std::vector<double> out;
          for (int h = 0; h < m.heads; ++h) {
            const bitattn::AttnResult r =
                bitattn::attention_bitwise(q[h], k[h / m.group()], v[h / m.group()], n, n, D, cfg);
            row.mismatches += r.mismatches;
            out.insert(out.end(), r.out.begin(), r.out.end());
          }
          const bitattn::Accuracy a = bitattn::compare(out, ref);
          row.cosine = a.cosine;
          row.max_rel_err = a.max_rel_err;
        }
      } else {
        row.cosine = 1.0;  // FP attention path: the FP32 reference itself (FP16 rounding not modelled)
        row.max_rel_err = 0.0;
      }
      const Cost c = layer_attention_cost(run.designs[vi], l);
      row.cycles = c.cycles;
      row.energy_pj = c.energy_pj;
      total_mismatches += row.mismatches;
      rows.push_back(row);
    }
  }

  std::ostringstream os;
  os << "attention-accuracy: design " << base.name << " (engine " << eng.name << ": " << eng.e("encoding")
     << ", context_T " << eng.i("context_T") << ", lane_bits " << eng.e("lane_bits") << "), workload " << w.name << " ("
     << m.heads << " heads, " << m.kv_heads << " kv_heads, head_dim " << D << ")\n";
  os << "inputs: SYNTHETIC seeded N(0,1) Q, K, V (seed " << o.seed << "), " << n
     << " tokens, full unmasked attention; real tensors come with issue 6\n";
  os << "accuracy: engine output vs FP32 attention on the same inputs (cosine over the layer's output, "
        "max |err| / max |ref|); bitwise scores checked against the integer reference: "
     << total_mismatches << " mismatches\n";
  bool ternary_ctx = base.attention.base.context == "ternary";
  for (const auto& kv : base.attention.overrides) ternary_ctx = ternary_ctx || kv.second.context == "ternary";
  if (ternary_ctx) os << "note: context on the ternary array is costed but its accuracy is modelled as FP32 P.V\n";
  os << "cost: one simulated decode step at context " << n
     << " (batch 1); attention = qk_encode + kv_append + attn_score + softmax + "
        "pv_encode + attn_context of the layer (critical-path cycles, dynamic + leakage energy)\n\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "%5s  %-15s %10s %12s %12s %14s  %s\n", "layer", "variant", "cosine", "max_rel_err",
                "cycles", "energy_pj", "path");
  os << buf;
  for (const Row& r : rows) {
    std::snprintf(buf, sizeof buf, "%5d  %-15s %10.6f %12.6f %12llu %14.6g  %s\n", r.layer, r.variant.c_str(), r.cosine,
                  r.max_rel_err, static_cast<unsigned long long>(r.cycles), r.energy_pj, r.path.c_str());
    os << buf;
  }
  // Whole-model totals per variant.
  os << "\nall layers:\n";
  for (size_t vi = 0; vi < designs.size(); ++vi) {
    double cos_sum = 0, worst = 0, energy = 0;
    uint64_t cycles = 0;
    int count = 0;
    std::string name;
    for (const Row& r : rows) {
      if (static_cast<size_t>(&r - rows.data()) % designs.size() != vi) continue;
      name = r.variant;
      cos_sum += r.cosine;
      worst = std::max(worst, r.max_rel_err);
      cycles += r.cycles;
      energy += r.energy_pj;
      ++count;
    }
    std::snprintf(buf, sizeof buf,
                  "  %-15s mean cosine %.6f, worst max_rel_err %.6f, attention cycles %llu, energy %.6g pJ\n",
                  name.c_str(), cos_sum / count, worst, static_cast<unsigned long long>(cycles), energy);
    os << buf;
  }
  std::cout << os.str();

  if (!o.out_dir.empty()) {
    std::ostringstream csv;
    csv << "layer,variant,path,cosine,max_rel_err,cycles,energy_pj,mismatches\n";
    json j;
    j["design"] = base.name;
    j["workload"] = w.name;
    j["inputs"] = "synthetic seeded N(0,1) Q, K, V; real tensors come with issue 6";
    j["seed"] = o.seed;
    j["seq"] = o.seq;
    j["encoding"] = eng.e("encoding");
    json jr = json::array();
    for (const Row& r : rows) {
      std::snprintf(buf, sizeof buf, "%d,%s,\"%s\",%.9g,%.9g,%llu,%.9g,%llu\n", r.layer, r.variant.c_str(),
                    r.path.c_str(), r.cosine, r.max_rel_err, static_cast<unsigned long long>(r.cycles), r.energy_pj,
                    static_cast<unsigned long long>(r.mismatches));
      csv << buf;
      jr.push_back({{"layer", r.layer},
                    {"variant", r.variant},
                    {"path", r.path},
                    {"cosine", r.cosine},
                    {"max_rel_err", r.max_rel_err},
                    {"cycles", r.cycles},
                    {"energy_pj", r.energy_pj},
                    {"mismatches", r.mismatches}});
    }
    j["rows"] = jr;
    OutputDir out(o.out_dir);  // all or nothing (base/atomic_output.h)
    out.write("attention_accuracy.csv", csv.str());
    out.write("attention_accuracy.json", j.dump(2) + "\n");
    out.commit();
    std::cout << "wrote " << o.out_dir << "/attention_accuracy.csv, attention_accuracy.json\n";
  }
  return 0;
}

const bool registered = register_command<Options>([] {
  Command<Options> c;
  c.name = "attention-accuracy";
  c.order = 70;
  c.summary = "popcount attention vs FP32 attention per layer and T, with the attention's cycles and energy";
  c.description =
      "For each T (bits per Q/K element on the design's popcount engine) and each layer, runs seeded SYNTHETIC Q, "
      "K, V (N(0,1), the workload's heads/kv_heads/head_dim, N = --seq tokens, full unmasked attention) through the "
      "engine bit-exactly and prints the cosine similarity and max relative error against FP32 attention on the "
      "same inputs, next to the cycles and energy of that layer's attention ops in one simulated decode step at "
      "context N (plus the design with FP16 attention). Accuracy is over N query rows, each scored against the same "
      "N keys as that step. DESIGN needs an `attention:` section.";
  c.declare = [](CommandLine& cl, Options& o) {
    cl.operand("DESIGN", &o.design, "a design file with an attention: section (configs/designs/*.yaml)");
    cl.operand("WORKLOAD", &o.workload, "a workload file (workloads/*.yaml)");
    cl.option("T", integer_list(&o.Ts, 1, kNoMax, {}, "T,T,..."), "bits per Q/K element, one variant each");
    cl.option("lane-bits", integer_list(&o.lane_bits, 1, kNoMax, {64, 256, 512}, "B,B,..."),
              "also sweeps the engine's lane width (cost only; the values do not depend on it)")
        .default_text("the design's");
    cl.option("seq", integer(&o.seq, 2, int64_t{1} << 24),
              "tokens of the synthetic sequence and context of the decode step");
    cl.option("seed", positive(&o.seed, "S"), "seed of Q, K and V");
    cl.option("out,o", text(&o.out_dir, "DIR"), "writes attention_accuracy.csv and attention_accuracy.json into DIR");
  };
  c.run = run_attention_accuracy;
  return c;
}());

}  // namespace

}  // namespace lpusim

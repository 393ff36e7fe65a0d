// Model families and Hugging Face import: GPT-2 (learned positions, LayerNorm, GELU MLP, biases) and
// ViT/DeiT encoders (patch GEMM, class tokens, one bidirectional pass) against closed forms written
// out here; parameter counts against the published totals; import-hf round trips and bad input.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "base/config_error.h"
#include "compiler/capacity.h"
#include "compiler/compiler.h"
#include "config/loaders.h"
#include "helpers.h"
#include "ir/graph.h"
#include "workload/hf_import.h"

using namespace lpusim;
using namespace lpusim_test;

namespace {

std::map<std::string, int> op_counts(const std::vector<Op>& ops) {
  std::map<std::string, int> n;
  for (const Op& o : ops) ++n[o.name];
  return n;
}

WorkloadSpec load_yaml_text(const std::string& tag, const std::string& text) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("lpusim_models_" + tag + "_" + std::to_string(::getpid()) + ".yaml"))
          .string();
  write_file(path, text);
  return load_workload(path);
}

}  // namespace

TEST_CASE("GPT-2 small: graph MACs per phase equal the closed form for an ungated, learned-position decoder") {
  WorkloadSpec w = load_workload(src("workloads/gpt2_small.yaml"));
  w.scenario.generated_tokens = 4;
  auto ops = build_graph(w, GraphOptions{true});
  const uint64_t B = 1, P = 512, H = 768, F = 3072, V = 50257, D = 64, NH = 12, L = 12;
  // Per token per layer: q, k, v, o (4 H^2) + up and down (2 H F); no gate.
  const uint64_t lin = 4 * H * H + 2 * H * F;
  CHECK(graph_macs(ops, Phase::Prefill, 0) == L * (B * P * lin + 2 * B * NH * P * P * D) + B * H * V);
  CHECK(graph_macs(ops, Phase::Prefill, 0) == closed_form_prefill_macs(w));
  for (int s = 1; s < 4; ++s) {
    CHECK(graph_macs(ops, Phase::Decode, s) == L * (B * lin + 2 * B * NH * (P + s) * D) + B * H * V);
  }
  auto n = op_counts(ops);
  CHECK(n.count("rope") == 0);     // positions are learned, not rotary
  CHECK(n["pos_embedding"] == 4);  // one gather + add per pass (prefill + 3 decode steps)
  CHECK(n["pos_add"] == 4);
  CHECK(n.count("ffn_gate") == 0);
  for (const Op& o : ops) {
    if (o.name == "pos_embedding" && o.phase == Phase::Prefill) CHECK(o.elements == B * P * H);
    if (o.name == "attn_norm") CHECK(o.vop == VecOp::Layernorm);
    if (o.name == "ffn_act") CHECK(o.vop == VecOp::Gelu);
  }
}

TEST_CASE("DeiT-Tiny: one encoder pass, patch GEMM and classifier, MACs worked by hand") {
  WorkloadSpec w = load_workload(src("workloads/deit_tiny.yaml"));
  CHECK(w.scenario.prompt_tokens == 197);
  CHECK(w.scenario.generated_tokens == 1);
  auto ops = build_graph(w, GraphOptions{true});
  // Patch embedding: 196 patches x (16*16*3 = 768) x 192. Per token per layer: 4 x 192^2 + 2 x 192 x 768
  // = 147,456 + 294,912 = 442,368. Attention: 2 x 3 heads x 197^2 x 64 = 14,902,656 per layer.
  // Classifier: 192 x 1000 on the class token.
  const uint64_t expect = 196ull * 768 * 192 + 12ull * (197ull * 442368 + 14902656ull) + 192ull * 1000;
  CHECK(expect == 1253683200ull);  // ~1.25 GMACs (timm lists 1.3 GMACs for deit_tiny_patch16_224)
  CHECK(graph_macs(ops, Phase::Prefill, 0) == expect);
  CHECK(closed_form_prefill_macs(w) == expect);
  for (const Op& o : ops) CHECK(o.phase == Phase::Prefill);  // no decode phase
  auto n = op_counts(ops);
  CHECK(n["patch_embed"] == 1);
  CHECK(n["classifier"] == 1);
  CHECK(n["kv_store"] == 12);
  CHECK(n.count("kv_append") == 0);
  CHECK(n.count("embedding") == 0);
  CHECK(n.count("lm_head") == 0);
  for (const Op& o : ops) {
    if (o.name == "attn_score") {
      CHECK(o.kv_len == 197);  // bidirectional: every token sees all 197
      CHECK(o.M == 197);
    }
    if (o.name == "final_norm") CHECK(o.elements == 192);  // class token only
  }

  // Distilled DeiT: class + distillation token (198 tokens), two heads.
  std::string text = read_file(src("workloads/deit_tiny.yaml"));
  text = replace_once(text, "class_tokens: 1", "class_tokens: 2");
  text = replace_once(text, "batch: 1", "batch: 3");
  WorkloadSpec d = load_yaml_text("deit_distilled", text);
  CHECK(d.scenario.prompt_tokens == 198);
  auto dops = build_graph(d, GraphOptions{true});
  const uint64_t dexpect =
      3ull * 196 * 768 * 192 + 12ull * (3ull * 198 * 442368 + 2ull * 3 * 3 * 198 * 198 * 64) + 2ull * 3 * 192 * 1000;
  CHECK(graph_macs(dops, Phase::Prefill, 0) == dexpect);
  CHECK(closed_form_prefill_macs(d) == dexpect);
}

TEST_CASE("FP16 footprint reproduces published parameter counts (GPT-2, DeiT-Tiny, LLaMA-2-7B)") {
  DesignSpec fp = load_design(src("configs/designs/fp16_64x64.yaml"));
  // Every weight is FP16 on the baseline, so bytes / 2 = parameters.
  CHECK(footprint(load_workload(src("workloads/gpt2_small.yaml")), fp).weights == 2ull * 124439808ull);
  CHECK(footprint(load_workload(src("workloads/deit_tiny.yaml")), fp).weights == 2ull * 5717416ull);
  CHECK(footprint(load_workload(src("workloads/llama2_7b.yaml")), fp).weights == 2ull * 6738415616ull);
}

TEST_CASE("encoder workloads run end to end and report images per second") {
  CmdResult r = run_lpusim("compare " + src("configs/designs/lpu_64x64.yaml") + " " +
                               src("configs/designs/fp16_64x64.yaml") + " " + src("workloads/deit_tiny.yaml"),
                           "deit");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("batch 1 images, 197 tokens per image") != std::string::npos);
  CHECK(r.out.find("decode tokens/s") == std::string::npos);      // no decode phase, no decode lines
  CHECK(r.out.find("end-to-end tokens/s") == std::string::npos);  // per image:
  CHECK(r.out.find("\nimages/s ") != std::string::npos);
  CHECK(r.out.find("\nimages/J ") != std::string::npos);
  CHECK(r.out.find("\nenergy per image ") != std::string::npos);
  CmdResult bad = run_lpusim(
      "run " + src("configs/designs/lpu_64x64.yaml") + " " + src("workloads/deit_tiny.yaml") + " --prompt-tokens 10",
      "deit_bad");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("is an encoder (one pass per image): only --batch applies") != std::string::npos);
}

TEST_CASE("import-hf: every fixture config gives the zoo shape and loads") {
  struct C {
    const char* config;
    const char* zoo;
  };
  for (const C& c : {C{"llama2_7b", "llama2_7b"}, C{"llama3_8b", "llama3_8b"}, C{"gpt2", "gpt2_small"},
                     C{"bitnet_b158_2b4t", "bitnet_b158_2b4t"}, C{"deit_tiny_patch16_224", "deit_tiny"}}) {
    INFO(c.config);
    HfImportOptions o;
    const std::string yaml = import_hf_config(src(std::string("tests/data/hf/") + c.config + "/config.json"), o);
    WorkloadSpec got = load_yaml_text(c.config, yaml);
    WorkloadSpec zoo = load_workload(src(std::string("workloads/") + c.zoo + ".yaml"));
    const ModelSpec &a = got.model, &b = zoo.model;
    CHECK(got.name == c.config);
    CHECK(a.family == b.family);
    CHECK(a.layers == b.layers);
    CHECK(a.hidden == b.hidden);
    CHECK(a.heads == b.heads);
    CHECK(a.kv_heads == b.kv_heads);
    CHECK(a.ffn == b.ffn);
    CHECK(a.vocab == b.vocab);
    CHECK(a.ffn_activation == b.ffn_activation);
    CHECK(a.norm == b.norm);
    CHECK(a.subln == b.subln);
    CHECK(a.tied_embeddings == b.tied_embeddings);
    CHECK(a.position_embedding == b.position_embedding);
    CHECK(a.max_positions == b.max_positions);
    CHECK(a.linear_bias == b.linear_bias);
    CHECK(a.seq_len() == b.seq_len());
    CHECK(a.classes == b.classes);
    CHECK(a.attn_proj == Precision::Ternary);
    CHECK(yaml.find("source: \"Hugging Face config.json") != std::string::npos);
  }
  HfImportOptions fp;
  fp.precision = "fp16";
  fp.name = "l2";
  WorkloadSpec l = load_yaml_text("fp", import_hf_config(src("tests/data/hf/llama2_7b/config.json"), fp));
  CHECK(l.name == "l2");
  CHECK(l.model.attn_proj == Precision::Fp16);
  CHECK(l.model.ffn_w == Precision::Fp16);
}

TEST_CASE("import-hf: missing fields, bad values and unsupported architectures are errors naming field and file") {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("lpusim_hf_" + std::to_string(::getpid()))).string();
  const std::string llama = read_file(src("tests/data/hf/llama2_7b/config.json"));
  const std::string gpt2cfg = read_file(src("tests/data/hf/gpt2/config.json"));
  struct Bad {
    std::string text, expect;
  };
  const std::vector<Bad> cases = {
      {replace_once(llama, "\"intermediate_size\": 11008,", ""),
       "cfg.json: intermediate_size: missing required field (architecture LlamaForCausalLM)"},
      {replace_once(llama, "\"hidden_size\": 4096", "\"hidden_size\": \"4096\""),
       "hidden_size: expected a positive integer"},
      {replace_once(llama, "\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\""),
       "hidden_act: expected one of {silu}"},
      {replace_once(llama, "\"num_key_value_heads\": 32", "\"num_key_value_heads\": 5"),
       "num_key_value_heads: must divide"},
      {replace_once(llama, "LlamaForCausalLM", "MistralForCausalLM"),
       "architectures: unsupported architecture 'MistralForCausalLM'"},
      {replace_once(llama, "\"architectures\": [\n    \"LlamaForCausalLM\"\n  ],", ""),
       "architectures: expected a list"},
      {"{\"architectures\": [\"GPT2LMHeadModel\"], ", "not valid JSON"},
      {"{\"architectures\": [\"ViTForImageClassification\"], \"hidden_size\": 192, \"num_hidden_layers\": 1, "
       "\"num_attention_heads\": 3, \"intermediate_size\": 768, \"hidden_act\": \"gelu\", \"image_size\": 224, "
       "\"patch_size\": 16, \"num_channels\": 3}",
       "id2label: missing"},
      // A position table of one leaves no room for a generated token; a 1e400 is not a number.
      {replace_once(gpt2cfg, "\"n_positions\": 1024", "\"n_positions\": 1"), "n_positions: expected at least 2"},
      {replace_once(llama, "\"hidden_size\": 4096", "\"hidden_size\": 1e400"), "not valid JSON"},
  };
  for (const Bad& b : cases) {
    INFO(b.expect);
    write_file(dir + "/cfg.json", b.text);
    CHECK_THROWS_WITH(import_hf_config(dir + "/cfg.json", HfImportOptions{}), Catch::Contains(b.expect));
    CmdResult r = run_lpusim("import-hf " + dir + "/cfg.json", "hf_bad");
    CHECK(r.code == 2);
    CHECK(r.err.find(b.expect) != std::string::npos);
  }
  // Without -o the YAML goes to stdout; with -o to the file.
  CmdResult ok =
      run_lpusim("import-hf " + src("tests/data/hf/gpt2/config.json") + " -o " + dir + "/gpt2.yaml", "hf_ok");
  CHECK(ok.code == 0);
  CHECK(load_workload(dir + "/gpt2.yaml").model.max_positions == 1024);
}

TEST_CASE("workload schema: family-specific keys are strict") {
  const std::string deit = read_file(src("workloads/deit_tiny.yaml"));
  const std::string gpt2 = read_file(src("workloads/gpt2_small.yaml"));
  const std::string tiny = read_file(src("tests/data/tiny.yaml"));
  struct Bad {
    std::string text, expect;
  };
  const std::vector<Bad> cases = {
      {replace_once(deit, "  batch: 1\n", "  batch: 1\n  prompt_tokens: 5\n"), "scenario.prompt_tokens: unknown key"},
      {replace_once(deit, "  classes: 1000\n", "  classes: 1000\n  vocab: 5\n"), "model.vocab: unknown key"},
      {replace_once(deit, "patch: 16", "patch: 15"), "model.image.patch: image size must be divisible"},
      {replace_once(deit, "class_tokens: 1", "class_tokens: 3"), "model.class_tokens: expected 1"},
      {replace_once(deit, "    classifier: fp16\n", "    lm_head: fp16\n"), "model.precision.lm_head: unknown key"},
      {replace_once(gpt2, "  max_positions: 1024\n", ""), "missing required key 'max_positions'"},
      {replace_once(gpt2, "max_positions: 1024", "max_positions: 600"), "exceeds the learned position table"},
      {replace_once(tiny, "position_embedding: rope\n", "position_embedding: rope\n  max_positions: 10\n"),
       "model.max_positions: only a learned position_embedding"},
      {replace_once(tiny, "family: decoder", "family: seq2seq"), "model.family: expected one of {decoder, encoder}"},
  };
  int i = 0;
  for (const Bad& b : cases) {
    INFO(b.expect);
    CHECK_THROWS_WITH(load_yaml_text("schema" + std::to_string(i++), b.text), Catch::Contains(b.expect));
  }
}

TEST_CASE(
    "largest batch that fits DRAM: peak memory is linear in the batch, closed form floor((C - W) / per_sequence)") {
  DesignSpec lpu = load_design(src("configs/designs/lpu_64x64.yaml"));
  DesignSpec fp = load_design(src("configs/designs/fp16_64x64.yaml"));
  REQUIRE(lpu.dram.capacity_gib == 8);
  const uint64_t C = 8ull << 30;
  for (const char* f : {"workloads/bitnet_b158_3b.yaml", "workloads/llama3_8b.yaml", "workloads/gpt2_small.yaml"}) {
    WorkloadSpec w = load_workload(src(f));
    for (const DesignSpec* d : {&lpu, &fp}) {
      INFO(f << " on " << d->name);
      // Weights do not depend on the batch; KV cache and activations are per sequence.
      w.scenario.batch = 1;
      const Footprint f1 = footprint(w, *d);
      const uint64_t per_seq = f1.kv_cache + f1.peak_activations;
      const int64_t expect = f1.weights > C ? 0 : static_cast<int64_t>((C - f1.weights) / per_seq);
      CHECK(max_batch_in_dram(w, *d) == expect);
    }
  }
  // LLaMA-3-8B: 16 GB of FP16 weights cannot fit 8 GiB; ternary (~2.2 GiB incl. FP16 embeddings) can.
  WorkloadSpec l3 = load_workload(src("workloads/llama3_8b.yaml"));
  CHECK(max_batch_in_dram(l3, fp) == 0);
  CHECK(max_batch_in_dram(l3, lpu) > 0);
  DesignSpec nocap = lpu;
  nocap.dram.capacity_gib = 0;
  CHECK(max_batch_in_dram(l3, nocap) == -1);
}

TEST_CASE("batch max runs the largest batch that fits, and needs a single design with a capacity") {
  const std::string lpu = src("configs/designs/lpu_64x64.yaml"), fp = src("configs/designs/fp16_64x64.yaml");
  const std::string gpt2 = src("workloads/gpt2_small.yaml");
  CmdResult r = run_lpusim("bench " + gpt2 + " " + lpu + " --decode-step --batch max", "bmax");
  INFO(r.err);
  REQUIRE(r.code == 0);
  WorkloadSpec w = load_workload(gpt2);
  const int64_t b = max_batch_in_dram(w, load_design(lpu));
  CHECK(r.out.find("batch max -> " + std::to_string(b) + " ") != std::string::npos);
  CmdResult two = run_lpusim("compare " + lpu + " " + fp + " " + gpt2 + " --batch max", "bmax2");
  CHECK(two.code == 2);
  CHECK(two.err.find("--batch max needs a single design") != std::string::npos);
}

TEST_CASE("the resolved workload of every zoo file loads back to the same workload") {
  for (const auto& e : std::filesystem::directory_iterator(src("workloads"))) {
    INFO(e.path().string());
    WorkloadSpec w = load_workload(e.path().string());
    const std::string text = w.resolved_yaml();
    WorkloadSpec back = load_yaml_text("resolved_" + e.path().stem().string(), text);
    back.file = w.file;  // the header line names the file it came from
    CHECK(back.resolved_yaml() == text);
    CHECK(back.model.seq_len() == w.model.seq_len());
    CHECK(back.scenario.prompt_tokens == w.scenario.prompt_tokens);
  }
}

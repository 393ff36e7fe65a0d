// Safetensors reader and checkpoint weights: files written here (no Python, nothing downloaded)
// round-trip every dtype; the packed ternary layout decodes like transformers' unpack_weights;
// absmean ternarisation follows BitNet b1.58; corrupt, truncated, mis-shaped or incomplete files are
// clear errors; and a checkpoint's real zero counts reach every ternary tile's w_nonzero.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>

#include "base/config_error.h"
#include "checkpoint_fixture.h"
#include "compiler/compiler.h"
#include "config/loaders.h"
#include "helpers.h"
#include "workload/checkpoint_weights.h"
#include "workload/safetensors.h"

using namespace lpusim;
using namespace lpusim_test;

TEST_CASE("safetensors: every dtype round-trips through a file written here") {
  const std::vector<float> vals = {0.f, 1.f, -2.5f, 0.15625f, 65504.f, -6.103515625e-05f};
  const std::vector<int8_t> i8 = {-128, -1, 0, 1, 127};
  const std::vector<uint8_t> u8 = {0, 1, 128, 255};
  const std::string path = tmp("dtypes.safetensors");
  write_file(path,
             write_safetensors(
                 {{"f32", StDtype::F32, {2, 3}, f32_bytes(vals)},
                  {"f16", StDtype::F16, {6}, u16_bytes(vals, float_to_half)},
                  {"bf16", StDtype::BF16, {3, 2}, u16_bytes({0.f, 1.f, -2.5f, 0.15625f, 3.f, -4.f}, float_to_bf16)},
                  {"i8", StDtype::I8, {5}, raw(i8)},
                  {"u8", StDtype::U8, {2, 2}, raw(u8)},
                  {"empty", StDtype::F32, {0, 4}, ""}}));
  SafetensorsFile f(path);
  CHECK(f.tensors().size() == 6);
  const StTensor& t = f.at("f32");
  CHECK(t.shape_str() == "[2, 3]");
  for (size_t i = 0; i < vals.size(); ++i) {
    CHECK(SafetensorsFile::value(t, i) == vals[i]);
    CHECK(SafetensorsFile::value(f.at("f16"), i) == vals[i]);  // all exactly representable in FP16
  }
  const std::vector<float> bf = {0.f, 1.f, -2.5f, 0.15625f, 3.f, -4.f};
  for (size_t i = 0; i < bf.size(); ++i) CHECK(SafetensorsFile::value(f.at("bf16"), i) == bf[i]);
  for (size_t i = 0; i < i8.size(); ++i) CHECK(SafetensorsFile::value(f.at("i8"), i) == i8[i]);
  for (size_t i = 0; i < u8.size(); ++i) CHECK(SafetensorsFile::value(f.at("u8"), i) == u8[i]);
  CHECK(f.at("empty").numel() == 0);
  // Bit patterns from IEEE 754: 1.0 = 0x3C00, -2 = 0xC000, 65504 = 0x7BFF, smallest subnormal 0x0001.
  CHECK(float_to_half(1.f) == 0x3C00);
  CHECK(float_to_half(-2.f) == 0xC000);
  CHECK(half_to_float(0x7BFF) == 65504.f);
  CHECK(half_to_float(0x0001) == std::ldexp(1.f, -24));
  CHECK(bf16_to_float(0x3F80) == 1.f);
  CHECK(float_to_bf16(1.f) == 0x3F80);
}

TEST_CASE("safetensors: corrupt, truncated and inconsistent files are errors naming file and tensor") {
  const std::string good = write_safetensors(
      {{"a", StDtype::F32, {2, 2}, f32_bytes({1, 2, 3, 4})}, {"b", StDtype::I8, {3}, std::string("\x01\x02\x03", 3)}});
  auto expect_error = [](const std::string& tag, const std::string& bytes, const std::string& what) {
    INFO(tag);
    const std::string path = tmp(tag + ".safetensors");
    write_file(path, bytes);
    CHECK_THROWS_WITH(SafetensorsFile(path), Catch::Contains(path + ": ") && Catch::Contains(what));
  };
  const uint64_t hlen = static_cast<uint8_t>(good[0]) | (static_cast<uint8_t>(good[1]) << 8);
  const std::string header = good.substr(8, hlen);
  auto with_header = [&](const std::string& h) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((h.size() >> (8 * i)) & 0xff);
    return out + h + good.substr(8 + hlen);
  };
  expect_error("short", "abc", "truncated: 3 bytes");
  expect_error("trunc_data", good.substr(0, good.size() - 2), "truncated: tensor 'b' ends at data byte 19");
  expect_error("trunc_header", good.substr(0, 20), "exceeds the 12 bytes after it");
  expect_error("bad_json", with_header("{\"a\": {\"dtype\": \"F32\", "), "header is not valid JSON");
  expect_error("not_object", with_header("[1, 2, 3]"), "header: expected a JSON object");
  expect_error("wrong_shape", with_header(replace_once(header, "[2,2]", "[2,3]")),
               "tensor 'a': shape [2, 3] x F32 needs 24 bytes, data_offsets give 16");
  expect_error("dtype", with_header(replace_once(header, "\"I8\"", "\"I32\"")), "tensor 'b': unsupported dtype 'I32'");
  expect_error("overlap", with_header(replace_once(header, "[16,19]", "[12,15]")), "overlap");
  expect_error("overflow", with_header(replace_once(header, "[2,2]", "[4294967296,4294967296]")), "overflows 64 bits");
  expect_error("negative", with_header(replace_once(header, "[16,19]", "[16,-1]")), "non-negative integer");
  expect_error("huge_number", with_header(replace_once(header, "[2,2]", "[1e400,2]")),
               "header is not valid JSON: [json.exception.out_of_range.406] number overflow");
  // A rejected file leaves no memory map behind.
  auto mapped = [](const std::string& path) {
    return read_file("/proc/self/maps").find(std::filesystem::path(path).filename().string()) != std::string::npos;
  };
  CHECK_FALSE(mapped(tmp("huge_number.safetensors")));
  CHECK_FALSE(mapped(tmp("wrong_shape.safetensors")));
  CHECK_THROWS_WITH(SafetensorsFile(tmp("does_not_exist.safetensors")), Catch::Contains("cannot open"));
  // A good file with a missing name is an error naming the tensor.
  write_file(tmp("good.safetensors"), good);
  SafetensorsFile f(tmp("good.safetensors"));
  CHECK_THROWS_WITH(f.at("c"), Catch::Contains("missing tensor 'c'"));
}

TEST_CASE("packed ternary layout matches transformers' unpack_weights example") {
  // integrations/bitnet.py docstring: packed [[0b10100001, 0b00011000], [0b10010000, 0b00001010]] (uint8)
  // unpacks to [[0,-1],[-1,1],[-1,1],[-1,1],[1,0],[0,-1],[1,-1],[1,-1]] ([out 8, in 2]).
  const std::vector<int8_t> w = {0, -1, -1, 1, -1, 1, -1, 1, 1, 0, 0, -1, 1, -1, 1, -1};
  const std::string p = pack_ternary_rows(w, 8, 2);
  REQUIRE(p.size() == 4);
  CHECK(static_cast<uint8_t>(p[0]) == 0b10100001);
  CHECK(static_cast<uint8_t>(p[1]) == 0b00011000);
  CHECK(static_cast<uint8_t>(p[2]) == 0b10010000);
  CHECK(static_cast<uint8_t>(p[3]) == 0b00001010);
}

TEST_CASE("absmean ternarisation: gamma = mean|W|, round half to even, clamp to [-1, 1]") {
  // mean|W| = 1 exactly: 0.5 -> 0 (tie to even), 1.5 -> 2 -> clamped 1, 0.25 -> 0, -0.75 -> -1, -1.75 -> -1.
  std::string text = read_file(src("tests/data/tiny.yaml"));
  Checkpoint c = tiny_checkpoint(3);
  const auto [N, K] = tiny_shape("q_proj");
  std::vector<float> q(N * K);
  const float pattern[8] = {0.5f, -0.5f, 1.5f, -1.5f, 0.25f, -0.75f, 1.25f, -1.75f};  // mean |.| = 1 exactly
  for (size_t i = 0; i < q.size(); ++i) q[i] = pattern[i % 8];
  for (auto& t : c.tensors) {
    if (t.name == "model.layers.1.self_attn.q_proj.weight") {
      t.dtype = StDtype::F32;
      t.bytes = f32_bytes(q);
    }
  }
  const std::string ck = tmp("absmean.safetensors");
  write_file(ck, write_safetensors(c.tensors));
  WorkloadSpec w = load_workload(checkpoint_workload(ck, "absmean"));
  SafetensorsWeights sw(w.model);
  const int expect[8] = {0, 0, 1, -1, 0, -1, 1, -1};
  for (uint64_t n = 0; n < 4; ++n) {
    for (uint64_t k = 0; k < K; ++k) CHECK(sw.trit(1, "q_proj", k, n) == expect[(n * K + k) % 8]);
  }
  CHECK(sw.describe().find("7 packed U8 + scale, 0 already ternary, 7 absmean-ternarised") != std::string::npos);
}

TEST_CASE("checkpoint zero counts reach every ternary tile's w_nonzero, and the report names the source") {
  const Checkpoint c = tiny_checkpoint(11);
  const std::string ck = tmp("tiny.safetensors");
  write_file(ck, write_safetensors(c.tensors));
  WorkloadSpec w = load_workload(checkpoint_workload(ck, "tiny_ckpt"));
  SafetensorsWeights sw(w.model);
  // Every weight decodes to the matrix that was written.
  for (const auto& kv : c.trits) {
    const auto [N, K] = tiny_shape(kv.first.second);
    for (uint64_t n = 0; n < N; n += 7) {
      for (uint64_t k = 0; k < K; ++k) CHECK(sw.trit(kv.first.first, kv.first.second, k, n) == kv.second[n * K + k]);
    }
  }
  // Tile nonzeros on the LPU equal the nonzeros of the tile's block of the written matrices.
  DesignSpec lpu = load_design(src("configs/designs/lpu_64x64.yaml"));
  Program p = compile(w, lpu, false, &sw);
  uint64_t tiles = 0, zeros_l0 = 0, total_l0 = 0;
  std::map<int, std::pair<uint64_t, uint64_t>> step1;  // layer -> (weights, nonzero) in decode step 1
  // Walk each op's tiles in the compiler's loop order (m, then n, then k) to recover (n0, k0).
  for (const ProgramOp& po : p.ops) {
    const Op& op = po.op;
    if (op.kind != OpKind::Gemm || op.wclass != WeightClass::Ternary) continue;
    const std::vector<int8_t>& m = c.trits.at({op.layer, op.name});
    const uint64_t K = op.K;
    uint64_t n0 = 0, k0 = 0;
    for (uint32_t i = po.first_tile; i < po.first_tile + po.num_tiles; ++i) {
      const Tile& t = p.tiles[i];
      uint64_t nz = 0;
      for (uint64_t n = n0; n < n0 + t.n; ++n) {
        for (uint64_t k = k0; k < k0 + t.k; ++k) nz += m[n * K + k] != 0;
      }
      CHECK(t.w_nonzero == nz);
      ++tiles;
      if (op.phase == Phase::Decode && op.step == 1) {
        step1[op.layer].first += t.k * t.n;
        step1[op.layer].second += t.w_nonzero;
      }
      k0 += t.k;
      if (k0 >= K) {
        k0 = 0;
        n0 += t.n;
        if (n0 >= op.N) n0 = 0;  // next m-tile starts over
      }
    }
  }
  CHECK(tiles > 0);
  for (const auto& kv : c.trits) {
    if (kv.first.first != 0) continue;
    for (int8_t x : kv.second) zeros_l0 += x == 0;
    total_l0 += kv.second.size();
  }
  const std::vector<double> zf = sw.layer_zero_fractions();
  REQUIRE(zf.size() == 2);
  CHECK(zf[0] == Approx(static_cast<double>(zeros_l0) / static_cast<double>(total_l0)).epsilon(1e-12));
  CHECK(1.0 - static_cast<double>(step1[0].second) / static_cast<double>(step1[0].first) ==
        Approx(zf[0]).epsilon(1e-12));
  CHECK(zf[0] == Approx(0.4).margin(0.01));   // 40 % zeros drawn
  CHECK(zf[1] == Approx(0.31).margin(0.01));  // absmean of Gaussian weights: erf(0.282) = 0.310

  const std::string out = tmp("report_dir");
  CmdResult r = run_lpusim("run " + src("configs/designs/lpu_64x64.yaml") + " " + w.file + " -o " + out, "ckpt_run");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("weights: checkpoint " + ck +
                   ": 14 ternary tensors (7 packed U8 + scale, 0 already ternary, 7 absmean-ternarised)") !=
        std::string::npos);
  CHECK(r.out.find("zero weights per layer: 0: ") != std::string::npos);
  CHECK(read_file(out + "/report.json").find("\"layer_zero_fraction\"") != std::string::npos);
}

TEST_CASE("checkpoint vs workload: missing tensors, wrong shapes, missing scales and bad name maps are errors") {
  const Checkpoint base = tiny_checkpoint(5);
  auto expect = [&](const std::string& tag, std::vector<StWriteTensor> ts, const std::string& what) {
    INFO(tag);
    const std::string ck = tmp(tag + ".safetensors");
    write_file(ck, write_safetensors(ts));
    WorkloadSpec w = load_workload(checkpoint_workload(ck, tag));
    CHECK_THROWS_WITH(SafetensorsWeights(w.model), Catch::Contains(ck + ": ") && Catch::Contains(what));
    CmdResult r = run_lpusim("run " + src("configs/designs/lpu_64x64.yaml") + " " + w.file, tag);
    CHECK(r.code == 2);
    CHECK(r.err.find(what) != std::string::npos);
  };
  auto without = [&](const std::string& name) {
    std::vector<StWriteTensor> ts;
    for (const auto& t : base.tensors) {
      if (t.name != name) ts.push_back(t);
    }
    return ts;
  };
  expect("missing", without("model.layers.1.mlp.down_proj.weight"),
         "missing tensor 'model.layers.1.mlp.down_proj.weight' (weights.name_map.ffn_down, layer 1)");
  expect("noscale", without("model.layers.0.self_attn.k_proj.weight_scale"),
         "needs its scale tensor 'model.layers.0.self_attn.k_proj.weight_scale'");
  std::vector<StWriteTensor> two_scales = base.tensors;
  for (auto& t : two_scales) {
    if (t.name == "model.layers.0.mlp.gate_proj.weight_scale") {
      t.shape = {2};
      t.bytes += t.bytes;
    }
  }
  expect("scale2", two_scales,
         "tensor 'model.layers.0.mlp.gate_proj.weight_scale': expected one scale value, got shape [2]");
  std::vector<StWriteTensor> wrong = base.tensors;
  for (auto& t : wrong) {
    if (t.name == "model.layers.1.self_attn.k_proj.weight") {
      t.shape = {256, 128};  // transposed
    }
  }
  expect("shape", wrong, "shape [256, 128] BF16 does not match the workload: expected [128, 256]");

  // A packed byte holding the unused code 3 is corrupt data: found when the zeros are counted.
  std::vector<StWriteTensor> bad = base.tensors;
  for (auto& t : bad) {
    if (t.name == "model.layers.0.mlp.up_proj.weight") t.bytes[3 * 256 + 7] = static_cast<char>(0xC0);  // row 3 + 3*160
  }
  const std::string ck = tmp("code3.safetensors");
  write_file(ck, write_safetensors(bad));
  WorkloadSpec w3 = load_workload(checkpoint_workload(ck, "code3"));
  SafetensorsWeights sw3(w3.model);
  CHECK_THROWS_WITH(
      sw3.layer_zero_fractions(),
      Catch::Contains("tensor 'model.layers.0.mlp.up_proj.weight': invalid 2-bit ternary code 3 at row 483, column 7"));
  CmdResult r3 = run_lpusim("run " + src("configs/designs/lpu_64x64.yaml") + " " + w3.file, "code3");
  CHECK(r3.code == 2);
  CHECK(r3.err.find("invalid 2-bit ternary code 3") != std::string::npos);

  // Workload side: the name map must cover exactly the ternary ops and carry {layer}.
  std::string text = read_file(checkpoint_workload(tmp("x.safetensors"), "nm"));
  const std::string p1 = tmp("nm1.yaml"), p2 = tmp("nm2.yaml");
  write_file(p1, replace_once(text, "      ffn_gate: \"model.layers.{layer}.mlp.gate_proj.weight\"\n", ""));
  CHECK_THROWS_WITH(load_workload(p1), Catch::Contains("weights.name_map: missing required key 'ffn_gate'"));
  write_file(p2, replace_once(text, "model.layers.{layer}.mlp.up_proj.weight", "model.layers.0.mlp.up_proj.weight"));
  CHECK_THROWS_WITH(load_workload(p2), Catch::Contains("name_map.ffn_up: expected a tensor name containing {layer}"));
}

TEST_CASE("tiny LLaMA- and BitNet-style config.json + safetensors written here: import-hf --checkpoint round trip") {
  const Checkpoint c = tiny_checkpoint(21);
  const std::string ck = tmp("hf_tiny.safetensors");
  write_file(ck, write_safetensors(c.tensors));
  struct Arch {
    const char* arch;
    const char* act;
    const char* ffn_activation;
    bool subln;
  };
  for (const Arch& a :
       {Arch{"LlamaForCausalLM", "silu", "swiglu", false}, Arch{"BitNetForCausalLM", "relu2", "relu2_glu", true}}) {
    INFO(a.arch);
    const std::string cfg = tmp(std::string(a.arch) + "/config.json");
    write_file(cfg, std::string("{\"architectures\": [\"") + a.arch + "\"], \"hidden_act\": \"" + a.act +
                        "\", \"hidden_size\": 256, \"intermediate_size\": 640, \"num_attention_heads\": 4, "
                        "\"num_hidden_layers\": 2, \"num_key_value_heads\": 2, \"vocab_size\": 1000, "
                        "\"tie_word_embeddings\": true}");
    const std::string wl = tmp(std::string(a.arch) + ".yaml");
    CmdResult imp = run_lpusim("import-hf " + cfg + " --name tiny_hf --checkpoint " + ck + " -o " + wl, "imp");
    INFO(imp.err);
    REQUIRE(imp.code == 0);
    WorkloadSpec w = load_workload(wl);
    CHECK(w.model.ffn_activation == a.ffn_activation);
    CHECK(w.model.subln == a.subln);
    CHECK(w.model.kv_heads == 2);
    CHECK(w.model.weight_distribution == "checkpoint");
    SafetensorsWeights sw(w.model);
    CHECK(sw.trit(0, "ffn_down", 5, 9) == c.trits.at({0, "ffn_down"})[9 * 640 + 5]);
    CmdResult run = run_lpusim(
        "run " + src("configs/designs/lpu_64x64.yaml") + " " + wl + " --prompt-tokens 8 --generated-tokens 2",
        "imp_run");
    INFO(run.err);
    CHECK(run.code == 0);
    CHECK(run.out.find("weights: checkpoint " + ck) != std::string::npos);
  }
  CmdResult gpt = run_lpusim("import-hf " + src("tests/data/hf/gpt2/config.json") + " --checkpoint " + ck, "imp_gpt2");
  CHECK(gpt.code == 2);
  CHECK(gpt.err.find("--checkpoint supports LlamaForCausalLM and BitNetForCausalLM") != std::string::npos);
}

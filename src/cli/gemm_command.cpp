// `lpusim gemm`: runs one GEMM through a MAC array's functional model (datapath/) with the design's
// unit parameters and the compiler's tiling, checks it against the plain reference and reports
// bit-exactness (ternary) or the error against the FP16 rounding bound, and the wall time.
#include "config/loaders.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include <time.h>

#include "base/config_error.h"
#include "cli/command.h"
#include "compiler/compiler.h"
#include "compiler/estimate.h"
#include "datapath/fp16.h"
#include "datapath/fp16_gemm.h"
#include "datapath/packing.h"
#include "datapath/quant.h"
#include "datapath/ternary_gemm.h"
#include "report/gemm_timing.h"
#include "spec/design.h"

namespace lpusim {

namespace {

using namespace datapath;
using Clock = std::chrono::steady_clock;

struct GemmArgs {
  std::string design, unit, case_name = "random";
  uint64_t m = 0, k = 0, n = 0, seed = 1;
  std::optional<double> zero_fraction;
  bool timing = false;  // --timing: compile and simulate instead of the functional check
  bool whole = false;   // --whole: with --timing, the GEMM as one tile when the buffers hold it
  std::optional<double> max_memory_gib;
};

// Host memory of the functional check: FP32 inputs, their quantised/FP16 copies and packed
// weights (~8 bytes per input element), the result, its references and the FP64 check (~24 bytes
// per output element); for --timing, the compiled tiles of the GEMM.
void check_gemm_size(const GemmArgs& a, const DesignSpec& d, const UnitSpec& u) {
  const double limit = a.max_memory_gib ? *a.max_memory_gib * 1024.0 * 1024.0 * 1024.0 : default_max_memory_bytes();
  const double m = static_cast<double>(a.m), k = static_cast<double>(a.k), n = static_cast<double>(a.n);
  double need = 0;
  if (a.timing) {
    // The compiler's tiling for this unit (compiler/compiler.h): one tile per (m, k, n) block.
    double tiles = m * k * n;
    if (u.has_int("rows") && u.has_int("cols")) {
      const bool ternary = u.impl == "ternary_mac_array";
      try {
        const GemmTiling t =
            choose_gemm_tiling(a.m, a.k, a.n, ternary ? 8 : 16, ternary ? 2 : 16, 32,
                               static_cast<uint64_t>(u.i("rows")), static_cast<uint64_t>(u.i("cols")),
                               d.weight_buffer.bytes() * 8 / 2, d.activation_buffer.bytes() * 8 / 2, "gemm");
        tiles = std::ceil(m / static_cast<double>(t.tm)) * std::ceil(k / static_cast<double>(t.tk)) *
                std::ceil(n / static_cast<double>(t.tn));
      } catch (const std::exception&) {
        tiles = 0;  // no tiling: the timing run reports why
      }
    }
    need = kHostBaseBytes + kHostBytesPerTile * tiles;
  } else {
    need = 8 * (m * k + k * n) + 24 * m * n;
  }
  if (need > limit) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "--m %llu --k %llu --n %llu: the GEMM needs about %.3g GiB of host memory but --max-memory is "
                  "%.3g GiB%s",
                  static_cast<unsigned long long>(a.m), static_cast<unsigned long long>(a.k),
                  static_cast<unsigned long long>(a.n), need / (1024.0 * 1024 * 1024), limit / (1024.0 * 1024 * 1024),
                  a.max_memory_gib ? "" : " (3/4 of RAM)");
    throw ConfigError(buf);
  }
}

// Standard normal from the raw mt19937_64 stream (Box-Muller), so the tensors are the same with
// every standard library (std::normal_distribution is implementation-defined).
class Gauss {
 public:
  explicit Gauss(uint64_t seed) : g_(seed) {}
  double uniform() { return (static_cast<double>(g_() >> 11) + 0.5) * 0x1p-53; }  // (0, 1)
  float next() {
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    return static_cast<float>(r * std::cos(6.283185307179586 * uniform()));
  }

 private:
  std::mt19937_64 g_;
};

struct Tensors {
  std::vector<float> x, w;  // M x K activations, K x N weights
};

Tensors make_tensors(const GemmArgs& a, bool ternary) {
  Tensors t;
  t.x.assign(a.m * a.k, 0.0f);
  t.w.assign(a.k * a.n, 0.0f);
  Gauss g(a.seed);
  if (a.case_name == "random") {
    for (float& v : t.x) v = g.next();
    if (a.zero_fraction) {
      for (float& v : t.w) {
        const bool zero = g.uniform() < *a.zero_fraction;
        const float mag = 1.0f + std::fabs(g.next());
        v = zero ? 0.0f : (g.uniform() < 0.5 ? -mag : mag);
      }
    } else {
      for (float& v : t.w) v = g.next();
    }
  } else if (a.case_name == "ones_max") {
    std::fill(t.x.begin(), t.x.end(), 1.0f);
    std::fill(t.w.begin(), t.w.end(), 1.0f);
  } else if (a.case_name == "overflow") {
    const float big = ternary ? 1.0f : 16.0f;
    std::fill(t.x.begin(), t.x.end(), big);
    for (uint64_t k = 0; k < a.k; ++k)
      for (uint64_t n = 0; n < a.n; ++n) t.w[k * a.n + n] = ternary && 2 * k >= a.k ? -big : big;
  }
  return t;
}

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Process CPU time: on a loaded host the wall time of a single-threaded run overstates its cost.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

int run_ternary(const GemmArgs& a, const DesignSpec& d, const UnitSpec& u) {
  TernaryArrayConfig cfg;
  cfg.rows = static_cast<uint64_t>(u.i("rows"));
  cfg.cols = static_cast<uint64_t>(u.i("cols"));
  cfg.dataflow = parse_dataflow(u.e("dataflow"));
  cfg.accumulator_bits = static_cast<int>(u.i("accumulator_bits"));
  cfg.overflow = parse_overflow_mode(u.e("accumulator_overflow"));
  cfg.format = parse_weight_format(u.e("weight_format"));
  if (cfg.accumulator_bits > 64) {
    throw ConfigError(d.file + ": units." + u.name + ".accumulator_bits: the functional model supports at most 64");
  }
  const double w_bits = cfg.format == WeightFormat::Base3 ? 8.0 / 5.0 : 2.0;
  const GemmTiling gt =
      choose_gemm_tiling(a.m, a.k, a.n, 8, w_bits, cfg.accumulator_bits, cfg.rows, cfg.cols,
                         d.weight_buffer.bytes() * 8 / 2, d.activation_buffer.bytes() * 8 / 2, d.file + ": gemm");
  const TileShape tiles{gt.tm, gt.tk, gt.tn};

  const auto t0 = Clock::now();
  const Tensors t = make_tensors(a, true);
  const QuantizedActivations q = quantize_absmax_int8(t.x, a.m, a.k);
  const TernaryWeights w = quantize_absmean_ternary(t.w, a.k, a.n);
  const std::vector<uint8_t> packed = pack_ternary(w.t, cfg.format);
  const auto t1 = Clock::now();

  std::printf("gemm %s.%s (ternary_mac_array %llux%llu %s, %d-bit accumulator, %s, %s)\n", d.name.c_str(),
              u.name.c_str(), static_cast<unsigned long long>(cfg.rows), static_cast<unsigned long long>(cfg.cols),
              u.e("dataflow").c_str(), cfg.accumulator_bits, u.e("accumulator_overflow").c_str(),
              weight_format_name(cfg.format));
  std::printf("  shape        M %llu  K %llu  N %llu  case %s  seed %llu\n", static_cast<unsigned long long>(a.m),
              static_cast<unsigned long long>(a.k), static_cast<unsigned long long>(a.n), a.case_name.c_str(),
              static_cast<unsigned long long>(a.seed));
  std::printf("  tiling       tm %llu  tk %llu  tn %llu\n", static_cast<unsigned long long>(tiles.tm),
              static_cast<unsigned long long>(tiles.tk), static_cast<unsigned long long>(tiles.tn));

  TernaryGemmResult model, ref;
  std::string model_err, ref_err;
  const auto t2 = Clock::now();
  const double c2 = cpu_now();
  try {
    model = ternary_gemm_tiled(cfg, tiles, q, packed, w.gamma, a.n);
  } catch (const AccumulatorOverflow& e) {
    model_err = e.what();
  }
  const double model_cpu = cpu_now() - c2;
  const auto t3 = Clock::now();
  const double c3 = cpu_now();
  try {
    ref = ternary_gemm_reference(q, w, cfg.accumulator_bits, cfg.overflow);
  } catch (const AccumulatorOverflow& e) {
    ref_err = e.what();
  }
  const double ref_cpu = cpu_now() - c3;
  const auto t4 = Clock::now();
  const double macs = static_cast<double>(a.m) * static_cast<double>(a.k) * static_cast<double>(a.n);

  uint64_t nonzero = 0;
  for (int8_t v : w.t) nonzero += v != 0;
  std::printf("  weights      %llu ternary, %llu nonzero (zero fraction %.4f), %zu %s bytes, gamma %.6g\n",
              static_cast<unsigned long long>(w.t.size()), static_cast<unsigned long long>(nonzero), zero_fraction(w.t),
              packed.size(), weight_format_name(cfg.format), static_cast<double>(w.gamma));
  if (!model_err.empty() || !ref_err.empty()) {
    std::printf("  overflow     model: %s\n", model_err.empty() ? "none" : model_err.c_str());
    std::printf("               reference: %s\n", ref_err.empty() ? "none" : ref_err.c_str());
    std::printf("  wall time    functional model %.3f s, reference %.3f s\n", seconds(t2, t3), seconds(t3, t4));
    return (!model_err.empty() && !ref_err.empty()) ? 3 : 1;
  }
  // Without a clamped add the saturating chain is exact arithmetic, so the exact result is only
  // computed when something saturated.
  uint64_t differ_exact = 0;
  if (model.saturations > 0) {
    const std::vector<int64_t> exact = ternary_gemm_exact(q, w);
    for (size_t i = 0; i < exact.size(); ++i) differ_exact += exact[i] != model.acc[i];
  }
  const bool same_acc = model.acc == ref.acc;
  bool same_y = model.y.size() == ref.y.size();
  for (size_t i = 0; same_y && i < model.y.size(); ++i) same_y = float_bits(model.y[i]) == float_bits(ref.y[i]);
  const bool ok = same_acc && same_y && model.saturations == ref.saturations && model.adds == ref.adds;
  std::printf("  datapath     %llu tiles, %llu folds, %llu add/sub (zero weights skipped)\n",
              static_cast<unsigned long long>(model.tiles), static_cast<unsigned long long>(model.folds),
              static_cast<unsigned long long>(model.adds));
  std::printf("  saturations  %llu (reference %llu); outputs differing from the exact int64 result: %llu\n",
              static_cast<unsigned long long>(model.saturations), static_cast<unsigned long long>(ref.saturations),
              static_cast<unsigned long long>(differ_exact));
  std::printf("  bit-exact    %s (accumulators %s, FP32 outputs %s vs the plain reference)\n", ok ? "yes" : "NO",
              same_acc ? "equal" : "DIFFER", same_y ? "equal" : "DIFFER");
  std::printf(
      "  wall time    functional model %.3f s (%.3f s CPU, %.2f GMAC per CPU second),\n"
      "               reference %.3f s (%.3f s CPU), tensors+quantise+pack %.3f s\n",
      seconds(t2, t3), model_cpu, macs / model_cpu * 1e-9, seconds(t3, t4), ref_cpu, seconds(t0, t1));
  return ok ? 0 : 1;
}

int run_fp16(const GemmArgs& a, const DesignSpec& d, const UnitSpec& u) {
  Fp16ArrayConfig cfg;
  cfg.rows = static_cast<uint64_t>(u.i("rows"));
  cfg.cols = static_cast<uint64_t>(u.i("cols"));
  cfg.dataflow = parse_dataflow(u.e("dataflow"));
  cfg.fp32_accumulate = u.e("accumulate") == "fp32";
  const GemmTiling gt =
      choose_gemm_tiling(a.m, a.k, a.n, 16, 16, cfg.fp32_accumulate ? 32 : 16, cfg.rows, cfg.cols,
                         d.weight_buffer.bytes() * 8 / 2, d.activation_buffer.bytes() * 8 / 2, d.file + ": gemm");
  const TileShape tiles{gt.tm, gt.tk, gt.tn};

  const auto t0 = Clock::now();
  Tensors t = make_tensors(a, false);
  const std::vector<float> x = round_tensor_to_half(t.x), w = round_tensor_to_half(t.w);
  const auto t1 = Clock::now();
  std::printf("gemm %s.%s (fp16_mac_array %llux%llu %s, %s accumulation)\n", d.name.c_str(), u.name.c_str(),
              static_cast<unsigned long long>(cfg.rows), static_cast<unsigned long long>(cfg.cols),
              u.e("dataflow").c_str(), u.e("accumulate").c_str());
  std::printf("  shape        M %llu  K %llu  N %llu  case %s  seed %llu\n", static_cast<unsigned long long>(a.m),
              static_cast<unsigned long long>(a.k), static_cast<unsigned long long>(a.n), a.case_name.c_str(),
              static_cast<unsigned long long>(a.seed));
  std::printf("  tiling       tm %llu  tk %llu  tn %llu\n", static_cast<unsigned long long>(tiles.tm),
              static_cast<unsigned long long>(tiles.tk), static_cast<unsigned long long>(tiles.tn));
  const auto t2 = Clock::now();
  const double c2 = cpu_now();
  const Fp16GemmResult model = fp16_gemm_tiled(cfg, tiles, x, w, a.m, a.k, a.n);
  const double model_cpu = cpu_now() - c2;
  const auto t3 = Clock::now();
  const Fp16GemmResult ref = fp16_gemm_reference(x, w, a.m, a.k, a.n, cfg.fp32_accumulate);
  const auto t4 = Clock::now();
  const Fp16Reference r64 = fp16_gemm_fp64(x, w, a.m, a.k, a.n, cfg.fp32_accumulate);

  bool same = true;
  for (size_t i = 0; same && i < model.acc.size(); ++i) {
    same = float_bits(model.acc[i]) == float_bits(ref.acc[i]) || (std::isnan(model.acc[i]) && std::isnan(ref.acc[i]));
  }
  double max_abs = 0, max_ref = 0, max_ratio = 0;
  uint64_t over = 0, nonfinite = 0;
  for (size_t i = 0; i < model.acc.size(); ++i) {
    if (!std::isfinite(model.acc[i])) {
      ++nonfinite;
      continue;
    }
    const double err = std::fabs(static_cast<double>(model.acc[i]) - r64.y[i]);
    max_abs = std::max(max_abs, err);
    max_ref = std::max(max_ref, std::fabs(r64.y[i]));
    if (r64.bound_applicable) {
      if (err > r64.bound[i]) ++over;
      if (r64.bound[i] > 0) max_ratio = std::max(max_ratio, err / r64.bound[i]);
    }
  }
  std::printf("  datapath     %llu tiles, %llu folds\n", static_cast<unsigned long long>(model.tiles),
              static_cast<unsigned long long>(model.folds));
  // Relative error normwise (max |err| / max |y|): per-output relative errors of near-zero sums say little.
  const double max_rel = max_ref > 0 ? max_abs / max_ref : 0;
  if (r64.bound_applicable) {
    std::printf(
        "  error        vs FP64: max abs %.4g, relative (max abs / max |y|) %.4g, max error/bound %.4g,\n"
        "               outputs over the bound %llu\n",
        max_abs, max_rel, max_ratio, static_cast<unsigned long long>(over));
  } else {
    std::printf(
        "  error        vs FP64: max abs %.4g, relative (max abs / max |y|) %.4g; bound not applicable (K u >= 1)\n",
        max_abs, max_rel);
  }
  std::printf("  non-finite   %llu outputs (FP16 overflow)\n", static_cast<unsigned long long>(nonfinite));
  std::printf("  bit-exact    %s vs the same-order FP16 reference\n", same ? "yes" : "NO");
  std::printf(
      "  wall time    functional model %.3f s (%.3f s CPU, %.2f GMAC per CPU second), reference %.3f s,\n"
      "               tensors %.3f s\n",
      seconds(t2, t3), model_cpu, static_cast<double>(a.m) * a.k * a.n / model_cpu * 1e-9, seconds(t3, t4),
      seconds(t0, t1));
  return same && over == 0 ? 0 : 1;
}

int run_gemm(const GemmArgs& a, const CommandLine& cl) {
  if (a.zero_fraction && a.case_name != "random") cl.usage("--zero-fraction applies to --case random only");
  if (a.timing && a.case_name != "random") cl.usage("--case does not apply to --timing");
  if (a.whole && !a.timing) cl.usage("--whole applies to --timing only");
  const DesignSpec d = load_design(a.design);
  const UnitSpec* unit = nullptr;
  for (const auto& u : d.units)
    if (u.name == a.unit) unit = &u;
  if (!unit) throw ConfigError(d.file + ": units: no unit named '" + a.unit + "' (--unit)");
  check_gemm_size(a, d, *unit);
  if (a.timing) {  // report/gemm_timing.h: compile + SystemC, like one op of a full run
    const GemmTimingRun r = time_gemms(d, {GemmJob{"gemm", a.m, a.k, a.n}},
                                       GemmTimingOptions{a.unit, a.zero_fraction.value_or(0.0), a.seed, a.whole});
    std::fputs(gemm_timing_text(r).c_str(), stdout);
    return 0;
  }
  if (unit->impl == "ternary_mac_array") return run_ternary(a, d, *unit);
  if (unit->impl == "fp16_mac_array") return run_fp16(a, d, *unit);
  throw ConfigError(d.file + ": units." + a.unit + ": impl " + unit->impl +
                    " has no functional model (use a ternary_mac_array or an fp16_mac_array)");
}

const bool registered = register_command<GemmArgs>([] {
  Command<GemmArgs> c;
  c.name = "gemm";
  c.order = 40;
  c.summary = "one GEMM through a MAC array's functional model, checked against a plain reference";
  c.description =
      "Runs one (M x K) x (K x N) GEMM through the functional model of unit NAME of DESIGN (a ternary_mac_array or "
      "an fp16_mac_array), with the unit's parameters and the tiling the compiler would choose, and checks it "
      "against a plain reference. Ternary: FP32 tensors are quantised (absmax INT8 activations, absmean ternary "
      "weights), packed in the unit's weight_format and unpacked per tile; the result must be bit-exact. FP16: the "
      "tensors are rounded to FP16; the result must equal the same-order FP16 reference bit for bit and stay within "
      "the rounding-error bound of an FP64 reference.\n\n"
      "With --timing the GEMM is timed instead: compiled and simulated in SystemC like one op of a full run, on "
      "the design reduced to unit NAME, its buffers and DRAM; it prints cycles, array cycles vs the closed form, "
      "utilization, SRAM and DRAM bytes, energy by class and the mapping (tiles, folds, DRAM plan).";
  c.declare = [](CommandLine& cl, GemmArgs& a) {
    cl.operand("DESIGN", &a.design, "a design file (configs/designs/*.yaml)");
    cl.option("unit", text(&a.unit, "NAME"), "the unit of DESIGN (units.NAME)").required();
    cl.option("m", integer(&a.m, 1, int64_t{1} << 24, {}, "M"), "rows of the activations").required();
    cl.option("k", integer(&a.k, 1, int64_t{1} << 24, {}, "K"), "the reduction dimension").required();
    cl.option("n", integer(&a.n, 1, int64_t{1} << 24, {}, "N"), "columns of the weights").required();
    cl.option("seed", non_negative(&a.seed, "S"), "seed of the tensors");
    cl.option("case", choice(&a.case_name, {"random", "zeros", "ones_max", "overflow"}),
              "random: Gaussian N(0,1) tensors\n"
              "zeros: all-zero tensors\n"
              "ones_max: all ones: ternary weights +1, activations 127 (largest accumulation)\n"
              "overflow: ternary: activations 127, weights +1 for the first half of K and -1 for the rest (exact "
              "result 127 or 0; a narrow accumulator overflows on the way up); FP16: all 16 (each product 256; an "
              "FP16 sum overflows past K = 255)");
    cl.option("zero-fraction", number(&a.zero_fraction, Interval{0, 1, false, true}, "P"),
              "with --case random: each weight is 0 with probability P, else sign * (1 + |N(0,1)|) (ternary: "
              "exactly the zero fraction P in expectation)");
    cl.option("max-memory", number(&a.max_memory_gib, Interval{0, Interval{}.hi, true, false}, "G"),
              "refuses, before allocating, a GEMM whose estimated host memory exceeds G GiB")
        .default_text("3/4 of the machine's RAM");
    cl.flag("timing", &a.timing, "times the GEMM in SystemC (cycles, bytes, energy, mapping) instead of checking it");
    cl.flag("whole", &a.whole,
            "with --timing: one tile when the buffers hold it, as SCALE-Sim times a GEMM (default: the mapper's "
            "tiling)");
    cl.epilog(
        "Exit codes: 0 match, 1 mismatch, 2 bad input, 3 accumulator overflow in error mode.\n"
        "Benchmark (functional-model speed):\n"
        "  lpusim gemm configs/designs/lpu.yaml --unit tmac --m 4096 --k 4096 --n 4096");
  };
  c.run = run_gemm;
  return c;
}());

}  // namespace

}  // namespace lpusim

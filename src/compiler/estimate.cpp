#include "compiler/estimate.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "compiler/compiler.h"

namespace lpusim {

namespace {

double tiles_of(const WorkloadSpec& w, const DesignSpec& d, bool single_decode_step) {
  return static_cast<double>(compile(w, d, single_decode_step).tiles.size());
}

WorkloadSpec with(const WorkloadSpec& w, int64_t batch, int64_t prompt, int64_t generated) {
  WorkloadSpec s = w;
  s.scenario.batch = batch;
  s.scenario.prompt_tokens = prompt;
  s.scenario.generated_tokens = generated;
  return s;
}

// Tiles of the whole model from compiles of its first one and two layers: every layer lowers the
// same way, so tiles = model-level + layers x per-layer.
double layered_tiles(const WorkloadSpec& w, const DesignSpec& d, bool single_decode_step) {
  const int64_t L = w.model.layers;
  if (L <= 2) return tiles_of(w, d, single_decode_step);
  WorkloadSpec w1 = w, w2 = w;
  w1.model.layers = 1;
  w2.model.layers = 2;
  const double t1 = tiles_of(w1, d, single_decode_step), t2 = tiles_of(w2, d, single_decode_step);
  const double per_layer = std::max(0.0, t2 - t1);
  return std::max(0.0, t1 - per_layer) + per_layer * static_cast<double>(L);
}

constexpr int64_t kSample = 4096;  // the longest prompt / context compiled for the estimate

// Tiles of the prefill alone (generated_tokens 1) at `prompt` tokens and batch `b`.
double prefill_tiles(const WorkloadSpec& w, const DesignSpec& d, int64_t b, double prompt) {
  if (prompt <= kSample) return layered_tiles(with(w, b, static_cast<int64_t>(prompt), 1), d, false);
  const double x1 = kSample / 4.0, x2 = kSample / 2.0, x3 = kSample;
  const double y1 = layered_tiles(with(w, b, kSample / 4, 1), d, false);
  const double y2 = layered_tiles(with(w, b, kSample / 2, 1), d, false);
  const double y3 = layered_tiles(with(w, b, kSample, 1), d, false);
  // Quadratic through the three samples (attention grows with the square of the prompt), never
  // below the straight line through the last two.
  const double s12 = (y2 - y1) / (x2 - x1), s23 = (y3 - y2) / (x3 - x2);
  const double c = std::max(0.0, (s23 - s12) / (x3 - x1));
  const double linear = y3 + s23 * (prompt - x3);
  const double quad = y3 + (s23 + c * (x3 - x2)) * (prompt - x3) + c * (prompt - x3) * (prompt - x3);
  return std::max(linear, quad);
}

// Tiles of one decode step, linear in its context (the attention over the KV cache).
struct DecodeModel {
  double at0 = 0, per_token = 0;
};
DecodeModel decode_model(const WorkloadSpec& w, const DesignSpec& d, int64_t b) {
  const int64_t c1 = kSample / 4, c2 = kSample;
  const double t1 = layered_tiles(with(w, b, c1, 2), d, true);
  const double t2 = layered_tiles(with(w, b, c2, 2), d, true);
  DecodeModel m;
  m.per_token = std::max(0.0, (t2 - t1) / static_cast<double>(c2 - c1));
  m.at0 = std::max(0.0, t1 - m.per_token * static_cast<double>(c1 + 1));
  return m;
}

}  // namespace

WorkEstimate estimate_work(const WorkloadSpec& w, const std::vector<DesignSpec>& designs, bool single_decode_step) {
  WorkEstimate e;
  const double B = static_cast<double>(w.scenario.batch);
  const int64_t b = std::min<int64_t>(w.scenario.batch, 8);
  const double scale = B / static_cast<double>(b);
  const double P = static_cast<double>(w.scenario.prompt_tokens);
  const double G = static_cast<double>(w.scenario.generated_tokens);
  for (const DesignSpec& d : designs) {
    double tiles = 0;
    try {
      if (w.model.encoder()) {
        tiles = tiles_of(with(w, b, w.scenario.prompt_tokens, w.scenario.generated_tokens), d, false);
      } else if (single_decode_step) {
        const DecodeModel m = decode_model(w, d, b);
        tiles = m.at0 + m.per_token * (P + 1);
      } else {
        tiles = prefill_tiles(w, d, b, P);
        if (G > 1) {
          // Steps at contexts P+1 .. P+G-1.
          const DecodeModel m = decode_model(w, d, b);
          tiles += (G - 1) * (m.at0 + m.per_token * (P + G / 2));
        }
      }
    } catch (const std::exception&) {
      continue;  // a sample that does not compile: the run itself reports why, at its key
    }
    e.tiles += tiles * scale;
  }
  e.host_bytes = kHostBaseBytes + kHostBytesPerTile * e.tiles;
  e.seconds = e.tiles / kTilesPerSecond;
  return e;
}

double default_max_memory_bytes() {
  double ram = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::ifstream cg("/sys/fs/cgroup/memory.max");
  std::string limit;
  if (cg >> limit && limit != "max") {
    try {
      ram = std::min(ram, std::stod(limit));
    } catch (const std::exception&) {
    }
  }
  return ram > 0 ? ram * 0.75 : 8.0 * 1024 * 1024 * 1024;
}

}  // namespace lpusim

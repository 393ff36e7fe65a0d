// What the functional array models share: tile sizes and the walk over tiles and folds, in the
// order the compiler issues tiles (m-tile, n-tile, k-tile ascending: compiler/compiler.cpp) and the
// order a dataflow maps a tile onto the R x C array (datapath/systolic.h):
//   output stationary: folds over (m by R, n by C), each streams the tile's k
//   weight stationary: folds over (n by C, k by R ascending), each streams the tile's m
//   input stationary:  folds over (m by C, k by R ascending), each streams the tile's n
// Every output accumulates its products in one chain, k ascending: within a fold along the PE
// column (WS/IS) or in the PE (OS), and across folds and K-tiles through the partial sum, which is
// stored at accumulator precision and fed back into the chain (in WS/IS it enters the top of the
// column). So the arithmetic of one output does not depend on the dataflow; the walk does.
#pragma once
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "datapath/systolic.h"

namespace lpusim::datapath {

struct TileShape {
  uint64_t tm = 0, tk = 0, tn = 0;
};

// One fold: rows [m0, m1), columns [n0, n1), reduction [k0, k1), relative to the tile.
struct Fold {
  uint64_t m0, m1, k0, k1, n0, n1;
};

inline void check_tiling(uint64_t R, uint64_t C, const TileShape& t, const char* what) {
  if (R == 0 || C == 0 || t.tm == 0 || t.tk == 0 || t.tn == 0) {
    throw std::invalid_argument(std::string(what) + ": array dimensions and tile sizes must be positive");
  }
}

// Calls f(Fold) for each fold of an m x k x n tile, in the dataflow's order.
template <typename F>
void for_each_fold(Dataflow df, uint64_t R, uint64_t C, uint64_t m, uint64_t k, uint64_t n, F&& f) {
  switch (df) {
    case Dataflow::OutputStationary:
      for (uint64_t i = 0; i < m; i += R)
        for (uint64_t j = 0; j < n; j += C) f(Fold{i, std::min(m, i + R), 0, k, j, std::min(n, j + C)});
      break;
    case Dataflow::WeightStationary:
      for (uint64_t j = 0; j < n; j += C)
        for (uint64_t q = 0; q < k; q += R) f(Fold{0, m, q, std::min(k, q + R), j, std::min(n, j + C)});
      break;
    case Dataflow::InputStationary:
      for (uint64_t i = 0; i < m; i += C)
        for (uint64_t q = 0; q < k; q += R) f(Fold{i, std::min(m, i + C), q, std::min(k, q + R), 0, n});
      break;
  }
}

// Calls f(m0, k0, n0, tile_m, tile_k, tile_n) for each tile, in the compiler's order.
template <typename F>
void for_each_tile(uint64_t M, uint64_t K, uint64_t N, const TileShape& t, F&& f) {
  for (uint64_t m0 = 0; m0 < M; m0 += t.tm)
    for (uint64_t n0 = 0; n0 < N; n0 += t.tn)
      for (uint64_t k0 = 0; k0 < K; k0 += t.tk)
        f(m0, k0, n0, std::min(t.tm, M - m0), std::min(t.tk, K - k0), std::min(t.tn, N - n0));
}

}  // namespace lpusim::datapath

// SRAM banks: word-interleaved banks with per-bank ports; accesses that need more ports of one bank
// than it has at the same time conflict (one waits), and spreading over more banks removes that.
#include <catch2/catch.hpp>
#include <systemc>

#include "config/loaders.h"
#include "helpers.h"
#include "memory/sram_buffer.h"
#include "spec/design.h"

using namespace lpusim;
using namespace lpusim_test;

namespace {
uint64_t cycles(sc_core::sc_time t) { return static_cast<uint64_t>(t / sc_core::sc_time(1, sc_core::SC_NS) + 0.5); }
}  // namespace

TEST_CASE("SRAM: bank conflicts appear with one bank and vanish with more banks or ports") {
  const TechTable tech = load_tech(src("configs/tech/7nm.yaml"));
  const sc_core::sc_time clk(1, sc_core::SC_NS);
  // 128-bit words; two 4-word accesses at the same time, words [0, 4) and [4, 8) (bytes 0 and 64).
  BufferSpec one{"one", 64, 1, 1, 128};
  SramBuffer a("a", one, tech, clk, 1);
  CHECK(cycles(a.reserve(4 * 128, false, 0, 0)) == 4);
  CHECK(cycles(a.reserve(4 * 128, true, 0, 64)) == 8);  // same bank: waits 4 cycles
  CHECK(a.bank_conflicts() == 1);
  CHECK(a.conflict_wait_cycles() == 4);

  BufferSpec eight{"eight", 64, 8, 1, 128};
  SramBuffer b("b", eight, tech, clk, 1);
  CHECK(cycles(b.reserve(4 * 128, false, 0, 0)) == 1);  // banks 0-3, one word each
  CHECK(cycles(b.reserve(4 * 128, true, 0, 64)) == 1);  // banks 4-7: no conflict
  CHECK(b.bank_conflicts() == 0);
  CHECK(cycles(b.reserve(2 * 128, false, 0, 16)) == 2);  // banks 1-2 busy until 1: waits one cycle
  CHECK(b.bank_conflicts() == 1);

  // Two ports per bank: the same two accesses to one bank overlap.
  BufferSpec dual{"dual", 64, 1, 2, 128};
  SramBuffer c("c", dual, tech, clk, 1);
  CHECK(cycles(c.reserve(4 * 128, false, 0, 0)) == 4);
  CHECK(cycles(c.reserve(4 * 128, true, 0, 64)) == 4);
  CHECK(c.bank_conflicts() == 0);
}

TEST_CASE("SRAM: an access striped over all banks takes ceil(words / banks) cycles") {
  const TechTable tech = load_tech(src("configs/tech/7nm.yaml"));
  const sc_core::sc_time clk(1, sc_core::SC_NS);
  BufferSpec s{"s", 1024, 16, 2, 128};
  SramBuffer b("b", s, tech, clk, 1);
  // 1000 words from word 5: 63 words in 8 banks, 62 in the others -> 63 cycles = ceil(1000 / 16).
  CHECK(cycles(b.reserve(1000 * 128, false, 0, 5 * 16)) == 63);
  // A second one uses the second port of every bank. A third (one word per bank) waits until bank 5
  // has a free port: both of its ports hold 63 words (banks 5-12 and 0-7 got the extra word).
  CHECK(cycles(b.reserve(1000 * 128, false, 0, 0)) == 63);
  CHECK(cycles(b.reserve(16 * 128, true, 0, 0)) == 63 + 1);
  ModuleStats st;
  b.collect(st);
  CHECK(st.per_key[0][Ev::SramReadBit] == 2000 * 128);
  CHECK(st.scalars.at("bank_conflicts") == 1);
}

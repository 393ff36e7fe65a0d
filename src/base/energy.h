// Energy events. Every joule lpusim reports is (count of one of these events) x (its table entry).
// Arithmetic and register events are priced from configs/tech/<node>.yaml `events`; SRAM events by
// the buffer's size class (`sram`); DRAM events by the DRAM type (`dram`).
#pragma once
#include <array>
#include <cstdint>
#include <string>

namespace lpusim {

enum class Ev : int {
  Int8Add,
  Int8Mul,
  Int32Add,
  Fp16Add,
  Fp16Mul,
  Fp32Add,
  Fp32Mul,
  PopcountBit,
  RegFileBit,
  SramReadBit,
  SramWriteBit,
  DramReadBit,
  DramWriteBit,
  GatedSlot,        // a MAC slot whose zero weight gated the add and the accumulator write
  UnpackPacked2,    // one 2-bit weight code decoded to (sign, enable)
  UnpackBase3Byte,  // one byte decoded to 5 trits
  IndexDecodeBit,   // one bit of a compressed (zero-skipping) weight index decoded
  // Popcount attention engine (units/popcount_attention/popcount_attention.cpp).
  BitLogicBit,       // one 2-input AND/XNOR on one bit
  PopcountTreeBit,   // one input bit into a popcount compressor tree
  AdderTreeBit,      // one bit of one add in the cross-lane adder tree / offset corrections
  ScoreAccWriteBit,  // one bit written to a score accumulator register
  EncoderCompare,    // one threshold comparison in the Q/K/P/V quantiser
  KbufReadBit,       // one bit read from the engine's K-bit buffer (priced by its SRAM class)
  KbufWriteBit,      // one bit written into the K-bit buffer
  Fp16Compare,       // LUT unit: thermometer-encoder comparison
  LutSramReadBit,    // LUT unit: bits read from its LUT SRAM (priced by that SRAM's size class)
  LutSramWriteBit,   // LUT unit: bits written into its LUT SRAM (tables streamed from DRAM)
  DramActivate,      // one ACT (row open), priced per preset e_act_pj
  DramPrecharge,     // one PRE (row close), e_pre_pj
  DramReadBurst,     // one read burst (burst_bytes), e_rd_pj
  DramWriteBurst,    // one write burst, e_wr_pj
  kCount
};
constexpr int kNumEv = static_cast<int>(Ev::kCount);

enum class EnergyClass : int { Compute, Sram, Dram, Leakage, kCount };
constexpr int kNumEnergyClass = static_cast<int>(EnergyClass::kCount);

const char* ev_name(Ev e);   // e.g. "int8_add"
EnergyClass ev_class(Ev e);  // compute / sram / dram
const char* energy_class_name(EnergyClass c);

// Event counts, indexable by Ev. Counts are integers; stored as uint64 for exact sums.
struct EventCounts {
  std::array<uint64_t, kNumEv> n{};
  uint64_t& operator[](Ev e) { return n[static_cast<int>(e)]; }
  uint64_t operator[](Ev e) const { return n[static_cast<int>(e)]; }
  EventCounts& operator+=(const EventCounts& o) {
    for (int i = 0; i < kNumEv; ++i) n[i] += o.n[i];
    return *this;
  }
};

// Prices in pJ per event, as one unit sees them (SRAM/DRAM prices differ per instance).
struct EventPrices {
  std::array<double, kNumEv> pj{};
  double operator[](Ev e) const { return pj[static_cast<int>(e)]; }
  double& operator[](Ev e) { return pj[static_cast<int>(e)]; }
};

// Energy in pJ per class.
struct EnergyBreakdown {
  std::array<double, kNumEnergyClass> pj{};
  double& operator[](EnergyClass c) { return pj[static_cast<int>(c)]; }
  double operator[](EnergyClass c) const { return pj[static_cast<int>(c)]; }
  double total() const {
    double t = 0;
    for (double v : pj) t += v;
    return t;
  }
  EnergyBreakdown& operator+=(const EnergyBreakdown& o) {
    for (int i = 0; i < kNumEnergyClass; ++i) pj[i] += o.pj[i];
    return *this;
  }
};

// Dynamic energy of a set of counts under a set of prices, split by class.
EnergyBreakdown price(const EventCounts& c, const EventPrices& p);

}  // namespace lpusim

#include "base/energy.h"

namespace lpusim {

const char* ev_name(Ev e) {
  switch (e) {
    case Ev::Int8Add: return "int8_add";
    case Ev::Int8Mul: return "int8_mul";
    case Ev::Int32Add: return "int32_add";
    case Ev::Fp16Add: return "fp16_add";
    case Ev::Fp16Mul: return "fp16_mul";
    case Ev::Fp32Add: return "fp32_add";
    case Ev::Fp32Mul: return "fp32_mul";
    case Ev::PopcountBit: return "popcount_bit";
    case Ev::RegFileBit: return "register_file_bit";
    case Ev::SramReadBit: return "sram_read_bit";
    case Ev::SramWriteBit: return "sram_write_bit";
    case Ev::DramReadBit: return "dram_read_bit";
    case Ev::DramWriteBit: return "dram_write_bit";
    case Ev::GatedSlot: return "gated_slot";
    case Ev::UnpackPacked2: return "unpack_packed2_weight";
    case Ev::UnpackBase3Byte: return "unpack_base3_byte";
    case Ev::IndexDecodeBit: return "index_decode_bit";
    case Ev::BitLogicBit: return "bit_logic";
    case Ev::PopcountTreeBit: return "popcount_tree_bit";
    case Ev::AdderTreeBit: return "adder_tree_bit";
    case Ev::ScoreAccWriteBit: return "score_acc_write_bit";
    case Ev::EncoderCompare: return "encoder_compare";
    case Ev::KbufReadBit: return "kbuf_read_bit";
    case Ev::KbufWriteBit: return "kbuf_write_bit";
    case Ev::Fp16Compare: return "fp16_compare";
    case Ev::LutSramReadBit: return "lut_sram_read_bit";
    case Ev::LutSramWriteBit: return "lut_sram_write_bit";
    case Ev::DramActivate: return "dram_activate";
    case Ev::DramPrecharge: return "dram_precharge";
    case Ev::DramReadBurst: return "dram_read_burst";
    case Ev::DramWriteBurst: return "dram_write_burst";
    default: return "?";
  }
}

EnergyClass ev_class(Ev e) {
  switch (e) {
    case Ev::SramReadBit:
    case Ev::SramWriteBit:
    case Ev::KbufReadBit:
    case Ev::KbufWriteBit: return EnergyClass::Sram;
    case Ev::LutSramReadBit:
    case Ev::LutSramWriteBit: return EnergyClass::Sram;
    case Ev::DramReadBit:
    case Ev::DramWriteBit:
    case Ev::DramActivate:
    case Ev::DramPrecharge:
    case Ev::DramReadBurst:
    case Ev::DramWriteBurst: return EnergyClass::Dram;
    default: return EnergyClass::Compute;
  }
}

const char* energy_class_name(EnergyClass c) {
  switch (c) {
    case EnergyClass::Compute: return "compute";
    case EnergyClass::Sram: return "sram";
    case EnergyClass::Dram: return "dram";
    case EnergyClass::Leakage: return "leakage";
    default: return "?";
  }
}

EnergyBreakdown price(const EventCounts& c, const EventPrices& p) {
  EnergyBreakdown b;
  for (int i = 0; i < kNumEv; ++i) {
    Ev e = static_cast<Ev>(i);
    b[ev_class(e)] += static_cast<double>(c[e]) * p[e];
  }
  return b;
}

}  // namespace lpusim

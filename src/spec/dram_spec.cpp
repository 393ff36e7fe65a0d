#include "spec/dram_spec.h"
#include "base/parse.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "base/config_error.h"

namespace lpusim {

namespace {

const std::vector<std::string> kOrgKeys = {"ranks",     "bankgroups", "banks_per_group", "rows",
                                           "row_bytes", "bus_bits",   "burst_length",    "data_rate_mts"};
const std::vector<std::string> kTimingKeys = {
    "tRCD", "tRP",  "tRAS", "tCL",   "tCWL", "tCCD_S", "tCCD_L",   "tCCD_L_WR", "tRRD_S",    "tRRD_L", "tFAW",
    "tWTR", "tRTP", "tWR",  "tREFI", "tRFC", "tWTR_S", "tACT_cmd", "tCAS_cmd",  "tWCK_sync", "tRFCpb", "tREFIpb"};
const std::vector<std::string> kEnergyKeys = {"e_act_pj", "e_pre_pj", "e_rd_pj",
                                              "e_wr_pj",  "e_ref_pj", "p_background_mw"};
const std::vector<std::string> kSchedKeys = {"read_queue_entries",  "write_queue_entries", "write_high_watermark",
                                             "write_low_watermark", "frfcfs_cap",          "refresh_per_bank"};

bool is_pow2(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

}  // namespace

std::vector<DramField> parse_dram_mapping(const std::string& m, std::string& err) {
  std::vector<DramField> out;
  std::array<bool, static_cast<int>(DramField::kCount)> seen{};
  for (const auto& tok : split(m, '_')) {
    int f = -1;
    for (int i = 0; i < static_cast<int>(DramField::kCount); ++i) {
      if (tok == dram_field_name(static_cast<DramField>(i))) f = i;
    }
    if (f < 0 || seen[f]) {
      err =
          "expected an order of the six fields ro, ba, bg, ra, co, ch joined by '_' (most significant first), "
          "each once, e.g. ro_ba_bg_ra_co_ch; got '" +
          m + "'";
      return {};
    }
    seen[f] = true;
    out.push_back(static_cast<DramField>(f));
  }
  if (out.size() != seen.size()) {
    err = "expected all six fields ro, ba, bg, ra, co, ch (most significant first), e.g. ro_ba_bg_ra_co_ch; got '" + m +
          "'";
    return {};
  }
  return out;
}

namespace {

int64_t ps(double ns) { return static_cast<int64_t>(std::llround(ns * 1000.0)); }

}  // namespace

const char* dram_field_name(DramField f) {
  switch (f) {
    case DramField::Ch: return "ch";
    case DramField::Ra: return "ra";
    case DramField::Bg: return "bg";
    case DramField::Ba: return "ba";
    case DramField::Ro: return "ro";
    case DramField::Co: return "co";
    default: return "?";
  }
}

const std::vector<std::string>& dram_param_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const auto* v : {&kOrgKeys, &kTimingKeys, &kEnergyKeys, &kSchedKeys}) k.insert(k.end(), v->begin(), v->end());
    return k;
  }();
  return keys;
}

void DramSpec::resolve() {
  auto I = [&](const char* k) { return static_cast<int64_t>(std::llround(params.at(k))); };
  auto need = [&](bool ok, const std::string& what) {
    if (!ok) throw ConfigError(preset_file + ": dram preset '" + preset + "': " + what);
  };
  ranks = I("ranks");
  bankgroups = I("bankgroups");
  banks_per_group = I("banks_per_group");
  rows = I("rows");
  row_bytes = I("row_bytes");
  bus_bits = I("bus_bits");
  burst_length = I("burst_length");
  data_rate_mts = I("data_rate_mts");
  for (const char* k : {"ranks", "bankgroups", "banks_per_group", "rows", "row_bytes"}) {
    need(is_pow2(I(k)),
         std::string(k) + " must be a power of two (bit-field address mapping), got " + std::to_string(I(k)));
  }
  need(is_pow2(channels),
       "channels must be a power of two (bit-field address mapping), got " + std::to_string(channels));
  need(bus_bits > 0 && burst_length > 0 && data_rate_mts > 0 && (bus_bits * burst_length) % 8 == 0,
       "bus_bits x burst_length must be a positive multiple of 8");
  need(is_pow2(static_cast<int64_t>(burst_bytes())) && static_cast<uint64_t>(row_bytes) >= burst_bytes(),
       "row_bytes must hold a whole power-of-two number of bursts");
  int low_bits = 0;
  for (auto it = mapping_msb_first.rbegin(); it != mapping_msb_first.rend() && *it != DramField::Co; ++it) {
    const int64_t n = *it == DramField::Ch   ? channels
                      : *it == DramField::Ra ? ranks
                      : *it == DramField::Bg ? bankgroups
                      : *it == DramField::Ba ? banks_per_group
                                             : rows;
    int b = 0;
    while ((int64_t{1} << b) < n) ++b;
    low_bits += b;
  }
  // Row segments are runs of columns; the fields below co are tabulated (2^low_bits entries).
  need(low_bits <= 16, "address_mapping '" + address_mapping + "': the fields below co span " +
                           std::to_string(low_bits) + " bits, at most 16 are supported (put ro above co)");
  tRCD = ps(params.at("tRCD"));
  tRP = ps(params.at("tRP"));
  tRAS = ps(params.at("tRAS"));
  tCL = ps(params.at("tCL"));
  tCWL = ps(params.at("tCWL"));
  tCCD_S = ps(params.at("tCCD_S"));
  tCCD_L = ps(params.at("tCCD_L"));
  tCCD_L_WR = ps(params.at("tCCD_L_WR"));
  tRRD_S = ps(params.at("tRRD_S"));
  tRRD_L = ps(params.at("tRRD_L"));
  tFAW = ps(params.at("tFAW"));
  tWTR = ps(params.at("tWTR"));
  tRTP = ps(params.at("tRTP"));
  tWR = ps(params.at("tWR"));
  tREFI = ps(params.at("tREFI"));
  tRFC = ps(params.at("tRFC"));
  tWTR_S = ps(params.at("tWTR_S"));
  tACT_cmd = ps(params.at("tACT_cmd"));
  tCAS_cmd = ps(params.at("tCAS_cmd"));
  tWCK_sync = ps(params.at("tWCK_sync"));
  tRFCpb = ps(params.at("tRFCpb"));
  tREFIpb = ps(params.at("tREFIpb"));
  // BL beats at data_rate MT/s: BL / 2 clocks of the DDR clock.
  tBURST =
      static_cast<int64_t>(std::llround(static_cast<double>(burst_length) * 1e6 / static_cast<double>(data_rate_mts)));
  need(tREFI > tRFC, "tREFI must exceed tRFC");
  need(tBURST > 0, "tBURST must be > 0");
  e_act_pj = params.at("e_act_pj");
  e_pre_pj = params.at("e_pre_pj");
  e_rd_pj = params.at("e_rd_pj");
  e_wr_pj = params.at("e_wr_pj");
  e_ref_pj = params.at("e_ref_pj");
  p_background_mw = params.at("p_background_mw");
  read_queue_entries = I("read_queue_entries");
  write_queue_entries = I("write_queue_entries");
  write_high_watermark = I("write_high_watermark");
  write_low_watermark = I("write_low_watermark");
  frfcfs_cap = I("frfcfs_cap");
  refresh_per_bank = I("refresh_per_bank") != 0;
  need(read_queue_entries >= 1 && write_queue_entries >= 1, "read_queue_entries and write_queue_entries must be >= 1");
  need(write_high_watermark >= 1 && write_low_watermark < write_high_watermark &&
           write_high_watermark <= write_queue_entries,
       "write watermarks need 0 <= write_low_watermark < write_high_watermark <= write_queue_entries");
  need(!refresh_per_bank || (tREFIpb > tRFCpb && tRFCpb > 0), "per-bank refresh needs tREFIpb > tRFCpb > 0");
}

std::string DramSpec::resolved_yaml(const std::string& ind) const {
  std::ostringstream os;
  os.precision(17);
  os << ind << "preset: " << preset << "  # " << preset_file << "\n";
  os << ind << "channels: " << channels << "\n";
  os << ind << "address_mapping: " << address_mapping << "\n";
  if (capacity_gib > 0) os << ind << "capacity_gib: " << capacity_gib << "\n";
  for (const auto& k : dram_param_keys()) {
    os << ind << k << ": " << params.at(k) << "  # " << sources.at(k) << "\n";
  }
  os << ind << "# derived: burst_bytes " << burst_bytes() << ", columns (bursts per row) " << columns()
     << ", banks per channel " << banks() << ", tBURST " << static_cast<double>(tBURST) / 1000.0 << " ns, peak "
     << peak_gb_s_per_channel() << " GB/s per channel\n";
  return os.str();
}

}  // namespace lpusim

// DRAM device + controller description: a preset (configs/dram/<preset>.yaml) with every parameter
// and its source, the design's channel count and address mapping, and optional per-design overrides
// of any preset parameter (same key names). Times are held in picoseconds.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lpusim {

// Address-mapping fields, Ramulator naming: channel, rank, bank group, bank, row, column.
enum class DramField : int { Ch, Ra, Bg, Ba, Ro, Co, kCount };

struct DramSpec {
  std::string preset;       // e.g. "lpddr5"
  std::string preset_file;  // configs/dram/<preset>.yaml actually loaded
  std::string description;
  int64_t channels = 0;
  std::string address_mapping;  // e.g. "ro_ba_bg_ra_co_ch": fields from most to least significant
  std::vector<DramField> mapping_msb_first;
  double capacity_gib = 0;  // optional `capacity_gib`: DRAM size for the max-batch check (0 = not stated)

  // Every numeric parameter by its preset key (timing keys in ns, energies in pJ, power in mW),
  // after design overrides; `sources` says where each value came from.
  std::map<std::string, double> params;
  std::map<std::string, std::string> sources;

  // Resolved organisation.
  int64_t ranks = 0, bankgroups = 0, banks_per_group = 0, rows = 0, row_bytes = 0;
  int64_t bus_bits = 0, burst_length = 0, data_rate_mts = 0;
  // Resolved timing in ps. tBURST = burst_length beats at data_rate (BL/2 clocks of the DDR clock).
  int64_t tRCD = 0, tRP = 0, tRAS = 0, tCL = 0, tCWL = 0, tCCD_S = 0, tCCD_L = 0, tCCD_L_WR = 0, tRRD_S = 0, tRRD_L = 0;
  int64_t tFAW = 0, tWTR = 0, tRTP = 0, tWR = 0, tREFI = 0, tRFC = 0, tBURST = 0;
  // Command-level timing: tWTR_S write->read in another bank group (tWTR is the same-group value);
  // tACT_cmd from the start of an activate until the row opening counts (LPDDR5 ACT-1 -> ACT-2,
  // DDR5 second command cycle); tCAS_cmd likewise for a column command (DDR5 second cycle);
  // tWCK_sync the LPDDR5 CAS-WCK sync before the first column command after WCK went idle;
  // tRFCpb / tREFIpb per-bank refresh (used with refresh_per_bank).
  int64_t tWTR_S = 0, tACT_cmd = 0, tCAS_cmd = 0, tWCK_sync = 0, tRFCpb = 0, tREFIpb = 0;
  // Energy per operation (pJ) and background power per channel (mW) incl. refresh.
  double e_act_pj = 0, e_pre_pj = 0, e_rd_pj = 0, e_wr_pj = 0, e_ref_pj = 0, p_background_mw = 0;
  // Controller: read and write queue depth in entries (one burst each), write-drain watermarks in
  // write-queue entries, FR-FCFS bypass cap (times the oldest request may be passed by row hits),
  // refresh policy (false: all-bank REF every tREFI; true: per-bank REFpb every tREFIpb, round robin).
  int64_t read_queue_entries = 0, write_queue_entries = 0, write_high_watermark = 0, write_low_watermark = 0;
  int64_t frfcfs_cap = 0;
  bool refresh_per_bank = false;

  uint64_t burst_bytes() const { return static_cast<uint64_t>(bus_bits * burst_length / 8); }
  uint64_t columns() const { return static_cast<uint64_t>(row_bytes) / burst_bytes(); }  // bursts per row
  int64_t banks() const { return ranks * bankgroups * banks_per_group; }                 // per channel
  double peak_gb_s_per_channel() const {
    return static_cast<double>(burst_bytes()) / static_cast<double>(tBURST) * 1e3;
  }
  // Background + refresh power per channel in uW (refresh energy spread evenly over tREFI).
  double refresh_uw_per_channel() const { return e_ref_pj / (static_cast<double>(tREFI) * 1e-6); }  // pJ/us
  double static_uw_per_channel() const { return p_background_mw * 1e3 + refresh_uw_per_channel(); }

  std::string resolved_yaml(const std::string& indent) const;
  void resolve();  // params -> typed fields; ConfigError on inconsistent values
};

// Keys every preset defines (and a design may override), in file order.
const std::vector<std::string>& dram_param_keys();
const char* dram_field_name(DramField f);
// "ro_ba_bg_ra_co_ch" -> fields, most significant first; on a bad string, empty with `err` set.
std::vector<DramField> parse_dram_mapping(const std::string& m, std::string& err);

}  // namespace lpusim

// Turns simulation statistics into the report an architect reads: totals, per-op and per-layer
// rows, per-unit breakdown, footprint; written as JSON (schema below), CSV and Markdown, and
// printed side by side with B/A ratios. Every column is explained in README.md#report-columns.
#pragma once
#include <string>
#include <vector>

#include "compiler/capacity.h"
#include "report/lut_report.h"
#include "simulate/simulate.h"
#include "spec/area.h"

namespace lpusim {

constexpr int kReportSchemaVersion = 1;

struct Row {
  std::string phase;  // prefill | decode
  std::string name;   // op name, or "layer N" / "model" in layer rows
  int layer = -1;
  std::string unit;
  std::string note;
  uint64_t instances = 0;
  uint64_t cycles = 0;  // critical-path cycles (sum adds to total)
  uint64_t busy_cycles = 0;
  uint64_t macs = 0;
  uint64_t peak_macs_per_cycle = 0;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0, sram_read_bytes = 0, sram_write_bytes = 0;
  EnergyBreakdown energy;  // pJ
  EventCounts events;
  // The mapper's record (GEMM ops; ir/program.h OpMapping), summed over instances: the chosen mapping
  // of the first instance, the compulsory DRAM bytes and the limits the bound label compares.
  bool mapped = false;
  std::string mapping;
  uint64_t mappings = 0;  // distinct mappings over the instances
  uint64_t compulsory_dram_bytes = 0;
  double roof_compute_cycles = 0, roof_sram_cycles = 0, roof_fill_cycles = 0;
};

// What limits an op (README "Report columns"): the largest of its limits' cycles over its simulated
// cycles: compute (the mapping's array cycles; busy cycles for non-GEMM ops), dram (its DRAM bytes at the
// design's peak bandwidth), sram_ports (operand streams through the buffer ports) and fill (first load
// and last tile, not overlapped). `fraction` is that limit over the cycles: 1 = at the limit.
struct OpBound {
  std::string bound = "-";
  double fraction = 0;
  double compute = 0, dram = 0, sram_ports = 0, fill = 0;  // each limit's fraction
};
OpBound op_bound(const Row& r, double dram_bytes_per_cycle);
struct DesignReport;
// The DRAM roof in bytes per clock cycle of the design: the bandwidth its DRAM model sustains on a
// long sequential read (memory/dram_roof.h), below the pin peak by activates and refresh.
double dram_bytes_per_cycle(const DesignReport& r);

struct UnitRow {
  std::string name, kind;
  uint64_t busy_cycles = 0, macs = 0, peak_macs_per_cycle = 0;
  double dynamic_pj = 0, leakage_pj = 0, leakage_uw = 0;
};

// One DRAM channel over the whole run (dram.csv; README "Report columns").
struct DramChannelRow {
  std::string name;
  uint64_t read_bytes = 0, write_bytes = 0, transfers = 0;
  uint64_t activates = 0, precharges = 0, read_bursts = 0, write_bursts = 0, refreshes = 0;
  double achieved_gb_s = 0, row_hit_rate = 0, avg_queue_delay_ns = 0;
  // Latency of this channel's parts of requests (queue entry to last data beat), ns; queue entries
  // occupied (read + write queue) as seen by arriving parts.
  double latency_p50_ns = 0, latency_p95_ns = 0, latency_p99_ns = 0;
  double queue_p50 = 0, queue_p95 = 0, queue_p99 = 0;
  // Energy by operation, pJ; they add up to the channel's share of the DRAM energy class.
  double act_pj = 0, pre_pj = 0, read_pj = 0, write_pj = 0, refresh_pj = 0, background_pj = 0;
  double total_pj() const { return act_pj + pre_pj + read_pj + write_pj + refresh_pj + background_pj; }
};

struct DesignReport {
  std::string name, file, tech, budget;
  double clock_ghz = 0;
  uint64_t total_cycles = 0, prefill_cycles = 0, decode_cycles = 0;
  int64_t batch = 0, prompt_tokens = 0, generated_tokens = 0;
  double prefill_s = 0, decode_s = 0, total_s = 0, time_per_output_token_s = 0;
  double decode_tokens_per_s = 0, end_to_end_tokens_per_s = 0;
  EnergyBreakdown energy;  // pJ, whole run
  EnergyBreakdown prefill_energy, decode_energy;
  double energy_per_generated_token_pj = 0, decode_energy_per_token_pj = 0;
  Footprint footprint;
  uint64_t dram_read_bytes = 0, dram_write_bytes = 0;
  uint64_t prefill_dram_bytes = 0, decode_dram_bytes = 0;  // read + written in each phase
  uint64_t macs = 0;                                       // multiply-accumulates of the whole run
  bool encoder = false;                                    // one pass per image: per-image metrics
  uint64_t attention_cycles = 0;     // critical-path cycles of the attention ops (is_attention_op)
  EnergyBreakdown attention_energy;  // their energy incl. the leakage share, pJ
  std::vector<Row> ops;              // aggregated per (phase, op name)
  std::vector<Row> layers;           // aggregated per (phase, layer); layer -1 = model-level ops
  std::vector<UnitRow> units;
  std::vector<DramChannelRow> dram_channels;
  // Whole-request DRAM latency per traffic class (weights, kv, activations): requests, p50/p95/p99 ns.
  struct DramClassRow {
    std::string name;
    uint64_t requests = 0;
    double p50_ns = 0, p95_ns = 0, p99_ns = 0;
  };
  std::vector<DramClassRow> dram_classes;
  std::vector<std::string> notes;  // how ops were mapped on this design
  std::string resolved_design_yaml;
  AreaBreakdown area;
  uint64_t linear_peak_macs = 0;   // peak MACs/cycle of the weight-GEMM arrays
  double dram_peak_gb_s = 0;       // channels x the preset's peak per channel
  double dram_sustained_gb_s = 0;  // what the DRAM model sustains on a sequential read (memory/dram_roof.h)
  std::string iso_note;            // set by `compare --iso`: what was resized to hold the budget
  // DRAM capacity check (compiler/capacity.h): -1 when the design states no capacity_gib.
  std::string weight_source;                // where the zero patterns came from
  std::vector<double> layer_zero_fraction;  // per layer, real weights only
  int64_t max_batch_in_dram = -1;
  int64_t max_context_in_dram = -1;  // tokens at the run's batch; -1 = not checked
  BufferOccupancy buffer_peak;       // peak on-chip occupancy per buffer (compiler/capacity.h)
  uint64_t weight_buffer_bytes = 0, activation_buffer_bytes = 0;
  uint64_t dram_capacity_bytes = 0;
  LutMlpReport lut_mlp;  // weightless MLP figures (present only for model.mlp.kind: lut)
};

// Attention ops: qk_encode, kv_append, attn_score, softmax, pv_encode, attn_context.
bool is_attention_op(const std::string& name);

DesignReport build_report(const SimulationRun& run, const DesignRun& d);

// One row per statistics key (phase, layer, op name) of the design's program, in key order:
// critical-path cycles, busy cycles, MACs, SRAM and DRAM bytes, energy (leakage and DRAM static
// power shared out by cycles), unit, note and peak MACs/cycle. build_report aggregates these.
std::vector<Row> per_key_rows(const DesignRun& d);
// MACs over peak MACs/cycle x critical-path cycles (the `utilization` column).

// Outputs. JSON is byte-identical for identical inputs (no timestamps, no host data).
std::string to_json(const WorkloadSpec& w, const std::vector<DesignReport>& reports);
std::string ops_csv(const std::vector<DesignReport>& reports);
std::string layers_csv(const std::vector<DesignReport>& reports);
std::string dram_csv(const std::vector<DesignReport>& reports);
std::string summary_markdown(const WorkloadSpec& w, const std::vector<DesignReport>& reports);
std::string console_table(const WorkloadSpec& w, const std::vector<DesignReport>& reports);

// Writes report.json, ops.csv, layers.csv, summary.md and the resolved inputs into `dir`.
void write_outputs(const std::string& dir, const WorkloadSpec& w, const std::vector<DesignReport>& reports);

}  // namespace lpusim

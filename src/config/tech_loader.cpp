#include "config/loaders.h"

#include "base/config_error.h"
#include "config/yaml_reader.h"

namespace lpusim {

namespace {
const std::vector<std::string> kEventKeys = {"int8_add",
                                             "int8_mul",
                                             "int32_add",
                                             "fp16_add",
                                             "fp16_mul",
                                             "fp32_add",
                                             "fp32_mul",
                                             "popcount_bit",
                                             "register_file_bit",
                                             "gated_slot",
                                             "unpack_packed2_weight",
                                             "unpack_base3_byte",
                                             "index_decode_bit",
                                             "bit_logic",
                                             "popcount_tree_bit",
                                             "adder_tree_bit",
                                             "score_acc_write_bit",
                                             "encoder_compare",
                                             "fp16_compare"};
const std::vector<std::string> kAreaKeys = {"register_bit", "logic_gate_bit", "int8_add",  "int32_add", "int8_mul",
                                            "fp16_add",     "fp16_mul",       "fp32_add",  "fp32_mul",  "popcount_bit",
                                            "sram_bitcell", "dma_engine",     "controller"};
const std::vector<std::string> kLeakKeys = {"ternary_pe",  "int8_pe",  "fp16_pe",
                                            "vector_lane", "sram_kib", "popcount_lane_bit"};

// Entries `key: {<value_key>: number, source: "..."}` of one section; sources go to `sources`
// under "section.key".
std::map<std::string, double> read_entries(const YamlNode& sec, const std::string& section,
                                           const std::vector<std::string>& keys, const std::string& value_key,
                                           bool positive, std::map<std::string, std::string>& sources) {
  std::map<std::string, double> out;
  for (const auto& k : keys) {
    YamlNode e = sec.at(k);
    e.expect_keys({value_key, "source"});
    out[k] = positive ? e.get_positive(value_key) : e.get_nonnegative(value_key);
    sources[section + "." + k] = e.get_string("source");
  }
  return out;
}

}  // namespace

TechTable load_tech(const std::string& path) {
  YamlNode root = YamlNode::load_file(path);
  root.expect_keys({"node", "description", "events", "sram", "leakage", "area"});
  TechTable t;
  t.file = path;
  t.node = root.get_string("node");
  t.description = root.get_string("description");

  YamlNode ev = root.at("events");
  ev.expect_keys(kEventKeys);
  for (const auto& k : kEventKeys) {
    YamlNode e = ev.at(k);
    e.expect_keys({"pj", "source"});
    t.event_pj[k] = e.get_positive("pj");
    t.event_source[k] = e.get_string("source");
    t.sources["events." + k] = t.event_source[k];
  }

  double prev = 0;
  for (const auto& s : root.at("sram").items()) {
    s.expect_keys({"max_kib", "read_pj_per_bit", "write_pj_per_bit", "source"});
    SramClass c{s.get_positive("max_kib"), s.get_positive("read_pj_per_bit"), s.get_positive("write_pj_per_bit"),
                s.get_string("source")};
    if (c.max_kib <= prev) s.at("max_kib").fail("size classes must be in ascending max_kib order");
    prev = c.max_kib;
    t.sram.push_back(c);
  }
  if (t.sram.empty()) root.at("sram").fail("expected at least one SRAM size class");

  YamlNode lk = root.at("leakage");
  lk.expect_keys(kLeakKeys);
  t.leakage_uw = read_entries(lk, "leakage", kLeakKeys, "uw", false, t.sources);
  YamlNode ar = root.at("area");
  std::vector<std::string> area_keys = kAreaKeys;
  area_keys.push_back("sram_array_efficiency");
  ar.expect_keys(area_keys);
  t.area_um2 = read_entries(ar, "area", kAreaKeys, "um2", true, t.sources);
  double prev_kib = 0;
  for (const auto& s : ar.at("sram_array_efficiency").items()) {
    s.expect_keys({"max_kib", "efficiency", "source"});
    const double kib = s.get_positive("max_kib"), eff = s.get_positive("efficiency");
    if (kib <= prev_kib) s.at("max_kib").fail("size classes must be in ascending max_kib order");
    if (eff > 1) s.at("efficiency").fail("expected a fraction in (0, 1]");
    prev_kib = kib;
    t.sram_efficiency.emplace_back(kib, eff);
  }
  if (t.sram_efficiency.empty()) ar.at("sram_array_efficiency").fail("expected at least one size class");
  return t;
}

}  // namespace lpusim

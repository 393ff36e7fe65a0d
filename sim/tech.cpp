#include "sim/tech.h"

#include "sim/yaml_reader.h"

namespace lpusim {

namespace {
const std::vector<std::string> kEventKeys = {"int8_add", "int8_mul", "int32_add", "fp16_add",
                                             "fp16_mul", "fp32_add", "fp32_mul", "popcount_bit",
                                             "register_file_bit"};
const std::vector<std::string> kLeakKeys = {"ternary_pe", "int8_pe", "fp16_pe", "vector_lane",
                                            "sram_kib"};
}  // namespace

TechTable TechTable::load(const std::string& path) {
  YamlNode root = YamlNode::load_file(path);
  root.expect_keys({"node", "description", "events", "sram", "leakage"});
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
    SramClass c{s.get_positive("max_kib"), s.get_positive("read_pj_per_bit"),
                s.get_positive("write_pj_per_bit"), s.get_string("source")};
    if (c.max_kib <= prev) s.at("max_kib").fail("size classes must be in ascending max_kib order");
    prev = c.max_kib;
    t.sram.push_back(c);
  }
  if (t.sram.empty()) root.at("sram").fail("expected at least one SRAM size class");

  YamlNode lk = root.at("leakage");
  lk.expect_keys(kLeakKeys);
  for (const auto& k : kLeakKeys) {
    YamlNode e = lk.at(k);
    e.expect_keys({"uw", "source"});
    t.leakage_uw[k] = e.get_nonnegative("uw");
    t.sources["leakage." + k] = e.get_string("source");
  }
  return t;
}

EventPrices TechTable::arithmetic_prices() const {
  EventPrices p;
  p[Ev::Int8Add] = event_pj.at("int8_add");
  p[Ev::Int8Mul] = event_pj.at("int8_mul");
  p[Ev::Int32Add] = event_pj.at("int32_add");
  p[Ev::Fp16Add] = event_pj.at("fp16_add");
  p[Ev::Fp16Mul] = event_pj.at("fp16_mul");
  p[Ev::Fp32Add] = event_pj.at("fp32_add");
  p[Ev::Fp32Mul] = event_pj.at("fp32_mul");
  p[Ev::PopcountBit] = event_pj.at("popcount_bit");
  p[Ev::RegFileBit] = event_pj.at("register_file_bit");
  return p;
}

const SramClass& TechTable::sram_class(double size_kib) const {
  for (const auto& c : sram) {
    if (size_kib <= c.max_kib) return c;
  }
  throw ConfigError(file + ": no SRAM size class covers a " + std::to_string(size_kib) +
                    " KiB buffer (largest class is " + std::to_string(sram.back().max_kib) + " KiB)");
}

double TechTable::leak(const std::string& key) const { return leakage_uw.at(key); }

}  // namespace lpusim

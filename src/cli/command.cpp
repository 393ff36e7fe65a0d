#include "cli/command.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "base/parse.h"
#include "base/version.h"
#include "spec/unit_registry.h"

namespace lpusim {

namespace {

std::map<std::string, CommandInfo>& table() {
  static std::map<std::string, CommandInfo> t;
  return t;
}

const char* kIntro = "lpusim: cycle-level SystemC simulator of a low-precision processing unit (LPU) vs an FP16 design";

// The top level's own options.
struct TopArgs {
  bool version = false, list = false, markdown = false;
};

std::unique_ptr<CommandLine> top_line(TopArgs& a) {
  auto cl = std::make_unique<CommandLine>("");
  cl->flag("version", &a.version, "prints the version").conflicts("list");
  cl->flag("list", &a.list, "lists the registered compute units: capabilities, parameters, statistics");
  cl->flag("markdown", &a.markdown, "with --list: the README's unit tables (Markdown)").needs("list");
  return cl;
}

int cmd_list() {
  std::cout << "compute units (units.<name>.impl):\n";
  for (const UnitInfo* u : UnitRegistry::instance().all()) {
    std::cout << "  " << u->impl << ": " << u->doc << "\n    capabilities:";
    for (Capability c : u->caps) std::cout << " " << capability_name(c);
    std::cout << "\n    parameters:\n";
    for (const auto& p : u->params) {
      std::cout << "      " << p.key << ": " << p.doc;
      if (!p.choices.empty()) {
        std::cout << " {";
        for (size_t i = 0; i < p.choices.size(); ++i) std::cout << (i ? ", " : "") << p.choices[i];
        std::cout << "}";
      }
      if (!p.default_value.empty()) std::cout << " (default: " << p.default_value << ")";
      std::cout << "\n";
    }
    std::cout << "    statistics:\n";
    for (const auto& s : unit_stats(*u)) std::cout << "      " << s << "\n";
  }
  std::cout << "memories: sram_buffer (buffers.weight, buffers.activation), dram (dram.preset: lpddr5 | lpddr5x | hbm3 "
               "| ddr5, configs/dram/)\n";
  return 0;
}

}  // namespace

bool register_command_info(CommandInfo info) {
  const std::string name = info.name;
  if (!table().emplace(name, std::move(info)).second) throw std::logic_error("command " + name + " registered twice");
  return true;
}

std::vector<const CommandInfo*> all_commands() {
  std::vector<const CommandInfo*> out;
  for (const auto& kv : table()) out.push_back(&kv.second);
  std::stable_sort(out.begin(), out.end(),
                   [](const CommandInfo* a, const CommandInfo* b) { return a->order < b->order; });
  return out;
}

const CommandInfo* find_command(const std::string& name) {
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

std::unique_ptr<CommandLine> declared(const CommandInfo& c) {
  std::unique_ptr<CommandLine> cl;
  c.bind(cl);
  return cl;
}

int run_command(const CommandInfo& c, const std::vector<std::string>& args) {
  std::unique_ptr<CommandLine> cl;
  const std::function<int()> run = c.bind(cl);
  cl->parse(args);
  if (cl->help_requested()) {
    std::cout << cl->help();
    return 0;
  }
  return run();
}

std::string top_help() {
  std::string out =
      std::string(kIntro) + "\n\nusage: lpusim COMMAND OPERANDS [options]   (lpusim COMMAND --help: its options)\n";
  out += "       lpusim --list | --version | --help\n\ncommands:\n";
  for (const CommandInfo* c : all_commands()) {
    const auto cl = declared(*c);
    out += "  " + cl->synopsis() + "\n";
    for (const auto& f : cl->usage_forms()) out += "  " + f + "\n";
    if (!cl->summary().empty()) out += "      " + cl->summary() + "\n";
  }
  TopArgs a;
  const std::string opts = top_line(a)->help();
  out += opts.substr(opts.find("\noptions:\n"));
  out += "\nDESIGN is a configs/designs/*.yaml file, WORKLOAD a workloads/*.yaml file.\n";
  return out;
}

int cli_main(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "help") {
    std::cout << top_help();
    return args.empty() ? 2 : 0;
  }
  if (!args[0].empty() && args[0][0] == '-') {
    TopArgs a;
    auto cl = top_line(a);
    cl->parse(args);
    if (cl->help_requested()) {
      std::cout << top_help();
      return 0;
    }
    if (a.version) {
      std::cout << "lpusim " << kLpusimVersion << "\n";
      return 0;
    }
    if (a.list && a.markdown) {
      std::cout << units_markdown();  // the README's unit tables (tests/check_unit_tables.py)
      return 0;
    }
    if (a.list) return cmd_list();
    cl->usage("expected a command, --list, --version or --help");
  }
  const CommandInfo* c = find_command(args[0]);
  if (!c) usage_error("unknown command '" + args[0] + "'");
  return run_command(*c, std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace lpusim

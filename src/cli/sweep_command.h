// CLI entry points for sweeps and report regeneration (cli/sweep_command.cpp); argv after the
// command name. They throw ConfigError for bad input like the other commands.
#pragma once
#include <string>
#include <vector>

namespace lpusim {

extern const char* kSweepHelp;
extern const char* kSweepMergeHelp;
extern const char* kReportHelp;

int cmd_sweep(const std::vector<std::string>& args);
int cmd_sweep_merge(const std::vector<std::string>& args);
int cmd_report(const std::vector<std::string>& args);

}  // namespace lpusim

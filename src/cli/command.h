// The command table of lpusim. A command is one registration in one file of src/cli/ (CMake finds
// the file; the executable links the whole cli layer, so the registration is kept):
//
//   namespace {
//   struct Args {                       // the command's typed options, with their defaults
//     std::string design, out_dir;
//     uint64_t outstanding = 16;
//   };
//   const bool registered = register_command<Args>([] {
//     Command<Args> c;
//     c.name = "dram-trace";
//     c.summary = "replays a DRAM trace on DESIGN's memory system";
//     c.description = "...";             // paragraphs of `lpusim dram-trace --help`
//     c.declare = [](CommandLine& cl, Args& a) {
//       cl.operand("DESIGN", &a.design, "a design file (configs/designs/*.yaml)");
//       cl.option("outstanding", positive(&a.outstanding, "W"), "requests in flight");
//       cl.option("out,o", text(&a.out_dir, "DIR"), "writes ... into DIR");
//     };
//     c.run = [](const Args& a, const CommandLine& cl) { ...; return 0; };
//     return c;
//   }());
//   }  // namespace
//
// `lpusim --help` lists it, `lpusim dram-trace --help` shows its generated help, and bad usage is
// a one-line error naming the option (cli/options.h).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/options.h"

namespace lpusim {

template <class Args>
struct Command {
  std::string name;         // the word after `lpusim`
  std::string summary;      // one line in `lpusim --help`
  std::string description;  // the paragraphs of `lpusim NAME --help` before the option list
  int order = 100;          // position in `lpusim --help` (then by name)
  // Declares operands and options, each bound to a field of `a`.
  std::function<void(CommandLine& cl, Args& a)> declare;
  // Runs the command on the parsed arguments; returns the exit code. Usage errors found here
  // (combinations the declaration cannot say) go through cl.usage().
  std::function<int(const Args& a, const CommandLine& cl)> run;
};

// The type-erased table entry.
struct CommandInfo {
  std::string name;
  int order = 100;
  // A fresh CommandLine with the command's declaration, bound to fresh arguments, and the function
  // that runs the command once cl.parse() has filled them.
  std::function<std::function<int()>(std::unique_ptr<CommandLine>& cl)> bind;
};

bool register_command_info(CommandInfo info);

template <class Args>
bool register_command(Command<Args> c) {
  CommandInfo info;
  info.name = c.name;
  info.order = c.order;
  info.bind = [c](std::unique_ptr<CommandLine>& cl) -> std::function<int()> {
    cl = std::make_unique<CommandLine>(c.name, c.summary, c.description);
    auto args = std::make_shared<Args>();
    c.declare(*cl, *args);
    const CommandLine* line = cl.get();
    auto run = c.run;
    return [args, line, run] { return run(*args, *line); };
  };
  return register_command_info(std::move(info));
}

// Every registered command, in help order.
std::vector<const CommandInfo*> all_commands();
const CommandInfo* find_command(const std::string& name);

// The declaration of a registered command (for help and tests).
std::unique_ptr<CommandLine> declared(const CommandInfo& c);

// Parses `args` (after the command name) and runs the command; prints the help for -h/--help.
int run_command(const CommandInfo& c, const std::vector<std::string>& args);

// `lpusim` with argv[1..]: the top level (--help, --version, --list) and the command table.
// Returns the exit code; usage and config errors are thrown as ConfigError.
int cli_main(const std::vector<std::string>& args);
std::string top_help();

}  // namespace lpusim

// lpusim command line. Exit codes: 0 ok, 2 bad input or usage, 1 internal error. The commands are
// the table in cli/command.h, one registration per command file.
#include <systemc>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "base/config_error.h"
#include "cli/command.h"

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  try {
    return lpusim::cli_main(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const lpusim::ConfigError& e) {
    std::cerr << "lpusim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lpusim: internal error: " << e.what() << "\n";
    return 1;
  }
}

// The SystemC banner would break byte-identical stdout; it is printed when the kernel starts,
// so switch it off before any SystemC object exists.
namespace {
const bool kQuietBanner = [] { return setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0) == 0; }();
}

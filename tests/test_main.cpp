#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <systemc>

// SystemC provides main() through sc_main; Catch2 runs from it.
int sc_main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }

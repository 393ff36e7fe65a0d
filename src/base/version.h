#pragma once
namespace lpusim {
constexpr const char* kLpusimVersion = "0.1.0";
}

// `lpusim attention-accuracy DESIGN WORKLOAD [--T 1,2,4] [--seq N] [--seed S] [-o DIR]`: per layer,
// how far the popcount engine's attention output is from FP32 attention on the same (synthetic)
// inputs for each T, next to what that layer's attention costs in cycles and energy on the design.
#pragma once
#include <string>
#include <vector>

namespace lpusim {

extern const char* kAttentionAccuracyHelp;
// Runs the command on its arguments (after the command name); ConfigError on bad input.
int run_attention_accuracy(const std::vector<std::string>& args);

}  // namespace lpusim

// `lpusim import-hf`: turns a Hugging Face config.json into a workload YAML that WorkloadSpec::load
// accepts. Supported architectures: LlamaForCausalLM, BitNetForCausalLM, GPT2LMHeadModel,
// ViTForImageClassification, DeiTForImageClassification, DeiTForImageClassificationWithTeacher.
// A missing required field or an unsupported architecture is a ConfigError naming the field and file.
#pragma once
#include <string>
#include <vector>

namespace lpusim {

struct HfImportOptions {
  std::string name;                   // workload name; default: the config's parent folder name
  std::string precision = "ternary";  // linear layers: ternary (absmean-ternarised, BitNet style) | fp16
  std::string checkpoint;             // safetensors file: weights come from it (Llama/BitNet tensor names)
};

// The workload YAML text for `config_path`.
std::string import_hf_config(const std::string& config_path, const HfImportOptions& opt);

}  // namespace lpusim

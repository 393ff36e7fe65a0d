// `lpusim import-hf CONFIG_JSON`: a workload YAML for a Hugging Face config.json (workload/hf_import.h).
#include <fstream>
#include <iostream>

#include "base/atomic_output.h"
#include "base/config_error.h"
#include "cli/command.h"
#include "workload/hf_import.h"

namespace lpusim {

namespace {

struct ImportArgs {
  std::string config, out;
  HfImportOptions opt;
};

const bool registered = register_command<ImportArgs>([] {
  Command<ImportArgs> c;
  c.name = "import-hf";
  c.order = 45;
  c.summary = "writes a workload for a Hugging Face config.json";
  c.description =
      "Writes a workload for a Hugging Face config.json (LlamaForCausalLM, BitNetForCausalLM, GPT2LMHeadModel, "
      "ViTForImageClassification, DeiTForImageClassification[WithTeacher]). Without -o the YAML goes to stdout.";
  c.declare = [](CommandLine& cl, ImportArgs& a) {
    cl.operand("CONFIG_JSON", &a.config, "a Hugging Face config.json");
    cl.option("out,o", text(&a.out, "WORKLOAD_YAML"), "the workload file to write");
    cl.option("name", text(&a.opt.name, "NAME"), "workload name").default_text("the config's folder name");
    cl.option("precision", choice(&a.opt.precision, {"ternary", "fp16"}),
              "linear layers: ternary (absmean-ternarised) or fp16; BitNet is always ternary");
    cl.option("checkpoint", text(&a.opt.checkpoint, "MODEL_SAFETENSORS"),
              "takes the zero patterns from a safetensors file (Llama/BitNet names; a relative path is relative to "
              "the written workload)");
  };
  c.run = [](const ImportArgs& a, const CommandLine&) {
    if (!a.out.empty()) check_output_file(a.out, "-o");
    const std::string yaml = import_hf_config(a.config, a.opt);
    if (a.out.empty()) {
      std::cout << yaml;
      return 0;
    }
    write_file_atomic(a.out, yaml);  // temp + fsync + rename: a full disk leaves the earlier file
    std::cout << "wrote " << a.out << "\n";
    return 0;
  };
  return c;
}());

}  // namespace

}  // namespace lpusim

// Hot loops of the functional models are written so gcc vectorises them across n; on x86-64 they
// are also compiled for AVX2 and picked at run time (function multi-versioning), so a portable
// build still runs at AVX2 speed where the host has it. Results do not depend on the clone taken:
// the integer paths are exact and the float paths use only IEEE add/mul in a fixed order.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LPUSIM_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define LPUSIM_VECTOR_CLONES
#endif

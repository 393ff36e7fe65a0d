// Functional model of Bitformer-style popcount attention: quantisers that turn real Q, K (and P, V)
// into bit-planes packed in 64-bit words, dot products computed with AND/XNOR + popcount, a plain
// integer reference for bit-exact checks, softmax (FP32 or an integer/LUT approximation) and the
// attention output with its distance from FP32 attention on the same inputs.
//
// Codings (what one element of a vector becomes):
//   sign      1 plane, u = (x >= 0), value v = 2u - 1 in {-1, +1}. Dot product by XNOR + popcount:
//             sum v_q v_k = d - 2 * Hamming(q, k) = 2 * popcount(XNOR(q, k)) - d.
//   bit_plane T planes of an offset-binary integer u in [0, 2^T - 1]; value v = alpha * u - beta.
//             T >= 2: two's-complement range, alpha = 1, beta = 2^(T-1), v in [-2^(T-1), 2^(T-1) - 1],
//             quantised as v = clamp(round(x / s), -2^(T-1), 2^(T-1) - 1). T = 1 is the
//             sign quantiser written as planes (alpha = 2, beta = 1). Unsigned operands (softmax
//             probabilities) use alpha = 1, beta = 0, u = round(x / s), s = clip / (2^T - 1).
//             Dot product (the offset corrections are exact integers):
//               sum v_q v_k = aq ak sum_a sum_b 2^(a+b) popcount(Q_a AND K_b)
//                             - aq bk sum_a 2^a popcount(Q_a) - bq ak sum_b 2^b popcount(K_b) + d bq bk
//   spike     T time steps plus one sign plane. Magnitude count c = round(|x| / s) in [0, T],
//             s = clip / T. The query side fires in its first c steps (thermometer), the key side
//             spreads its c spikes evenly (spike at t iff floor((t+1) c / T) > floor(t c / T)), so
//             the overlap sum_t q_t k_t = floor(c_q c_k / T) and approximates T * (|x_q| / s_q)(|x_k| / s_k) / T.
//             Dot product: sum_t [2 popcount(Q_t AND K_t AND agree) - popcount(Q_t AND K_t)],
//             agree = XNOR(sign_q, sign_k); unsigned operands have an all-zero sign plane.
// Scale (per vector: one query, key, probability row or value column) and clipping: a signed code
// whose largest level is `top` steps (bit_plane 2^(T-1) - 1, spike T) uses
//   s = min(absmax / top, step_N x rms),
// step_N = the MSE-optimal uniform step for a unit Gaussian with N levels (Max 1960; N = 2^T for
// bit_plane, 2T + 1 for spike; no clipping above 64 levels). Values beyond top x s clip to the end
// levels. With few levels this clips the tails, as optimal low-bit quantisers do; with many levels
// s = absmax / top, so T = 8 codes INT8 inputs in [-127, 127] with absmax 127 exactly (s = 1).
// Unsigned operands (probabilities) use s = absmax / (2^T - 1) (planes) or absmax / T (spike).
// The encoder's absmax/rms reduction is the first of its two passes (counted in the unit).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lpusim {
namespace bitattn {

enum class Encoding { Sign, BitPlane, Spike };
Encoding parse_encoding(const std::string& s);  // "sign" | "bit_plane" | "spike"
const char* encoding_name(Encoding e);

// One coded vector of d elements: `planes` bit-planes of `words` 64-bit words each (plane-major),
// plus a sign plane for spike coding; padding bits beyond d are zero.
struct CodedVec {
  uint32_t d = 0, words = 0, planes = 0;
  double scale = 0;                // s: value of one integer step
  int64_t alpha = 1, beta = 0;     // v = alpha * u - beta (bit-plane codings)
  bool spike_query_side = true;    // spike: thermometer (query) or spread (key) firing pattern
  std::vector<uint64_t> bits;      // planes * words
  std::vector<uint64_t> sign;      // spike: 1 = negative; empty otherwise
  std::vector<int64_t> ints;       // the integer each element stands for (u for planes, signed count for spike)
  std::vector<int64_t> plane_pop;  // popcount of each plane (the encoder's sums for the offset corrections)
  const uint64_t* plane(uint32_t p) const { return bits.data() + static_cast<size_t>(p) * words; }
};

// Side of the dot product an operand sits on (matters for spike firing patterns only).
enum class Side { Query, Key };

// Quantises and packs x (d elements). `is_unsigned`: x >= 0 everywhere (probabilities).
CodedVec encode(const std::vector<float>& x, Encoding enc, uint32_t T, Side side, bool is_unsigned = false);

// What one dot product of two coded vectors costs the datapath, independent of lane width.
struct DotShape {
  uint32_t passes = 0;          // lane-word popcount passes per word position
  uint32_t logic_per_pass = 1;  // AND/XNOR gates per bit per pass
  uint32_t extra_logic = 0;     // per-word logic outside the passes (spike: sign XNOR)
  uint32_t key_planes = 0;      // K-side planes read per word position (spike: T + sign)
  uint32_t corrections = 0;     // integer adds that finish one dot product (offset corrections)
};
// Shape of the dot product between an a-side coding (Ta planes) and a k-side coding (Tb planes).
// sign x sign uses XNOR; bit-plane pairs use AND; spike uses AND per step with a sign mask.
DotShape dot_shape(Encoding enc, uint32_t Ta, uint32_t Tb, bool a_unsigned);

// Counted events of a set of dot products on `lane_bits`-wide words (padding bits count: the
// hardware switches whole lane words).
struct DotCounts {
  uint64_t logic_bits = 0, popcount_bits = 0, lane_words = 0, correction_adds = 0;
  DotCounts& operator+=(const DotCounts& o);
};

// Integer dot product computed bitwise (AND/XNOR + popcount over 64-bit words); adds its work to
// `counts` (with lane_bits as the word width the hardware would use).
int64_t dot_bitwise(const CodedVec& a, const CodedVec& b, Encoding enc, uint32_t lane_bits, DotCounts* counts);
// The same integer from the plain per-element integers (the reference).
int64_t dot_reference(const CodedVec& a, const CodedVec& b, Encoding enc);
// The dot product value in real units (integer x scales, spike rescaled by T).
double dot_value(int64_t dot, const CodedVec& a, const CodedVec& b, Encoding enc);

enum class Softmax { Fp32, IntLut };
Softmax parse_softmax(const std::string& s);  // "fp16" (computed in FP32 here) | "int_lut"
// Softmax of one row. IntLut: fixed-point exp2 with a 16-entry fraction LUT (Q0.15), int32 sum,
// one reciprocal; see bitattn.cpp.
std::vector<double> softmax_row(const std::vector<double>& s, Softmax kind);

// Attention of one head: q (nq x d), k and v (nk x d), row-major. Full (unmasked) attention.
struct AttnConfig {
  Encoding enc = Encoding::Sign;
  uint32_t T = 1;              // Q and K coding width
  bool scores_bitwise = true;  // false: FP scores (a design whose scores stay on the FP16 path)
  Softmax softmax = Softmax::Fp32;
  bool context_bitwise = false;  // P and V coded too (else FP32 P.V)
  uint32_t context_T = 1;        // P (unsigned) and V coding width
  uint32_t lane_bits = 64;
};
struct AttnResult {
  std::vector<double> out;  // nq x d
  DotCounts score_counts, context_counts;
  uint64_t mismatches = 0;  // bitwise vs reference integer disagreements (must be 0)
};
AttnResult attention_bitwise(const std::vector<float>& q, const std::vector<float>& k, const std::vector<float>& v,
                             uint32_t nq, uint32_t nk, uint32_t d, const AttnConfig& cfg);
std::vector<double> attention_fp32(const std::vector<float>& q, const std::vector<float>& k,
                                   const std::vector<float>& v, uint32_t nq, uint32_t nk, uint32_t d);

// Distance between an approximate and a reference output: cosine similarity over the whole tensor
// and max relative error = max |a - r| / max |r| (normalised by the reference's largest magnitude,
// so near-zero elements do not blow it up).
struct Accuracy {
  double cosine = 0, max_rel_err = 0;
};
Accuracy compare(const std::vector<double>& approx, const std::vector<double>& ref);

}  // namespace bitattn
}  // namespace lpusim

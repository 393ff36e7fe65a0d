// Constraint expressions for sweeps: a small recursive-descent parser into a tree, evaluated
// against a name lookup (design key paths and derived quantities).
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "base/config_error.h"
#include "sweep/sweep.h"

namespace lpusim {

struct ExprNode {
  enum Kind { Num, Name, Neg, Not, Bin } kind = Num;
  double num = 0;
  std::string name, op;
  std::shared_ptr<const ExprNode> a, b;
};

namespace {

using NodeP = std::shared_ptr<const ExprNode>;

class Parser {
 public:
  Parser(const std::string& t, const std::string& where, std::vector<std::string>& names)
      : t_(t), where_(where), names_(names) {}

  NodeP parse_all() {
    // Bounded so a hostile constraint fails with a message instead of exhausting the stack (the
    // parser and the evaluator recurse once per nesting level or operator).
    if (t_.size() > kMaxChars) fail("longer than " + std::to_string(kMaxChars) + " characters");
    NodeP n = parse_or();
    skip();
    if (i_ != t_.size()) fail("unexpected '" + t_.substr(i_, 1) + "'");
    return n;
  }

 private:
  static constexpr size_t kMaxChars = 4096;
  static constexpr int kMaxDepth = 256;
  struct Nest {  // one level of '(' or unary operator
    Parser& p;
    explicit Nest(Parser& q) : p(q) {
      if (++p.depth_ > kMaxDepth) p.fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    ~Nest() { --p.depth_; }
  };
  int depth_ = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw ConfigError(where_ + ": constraint '" + t_ + "': at character " + std::to_string(i_ + 1) + ": " + what);
  }
  void skip() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) ++i_;
  }
  bool eat(const std::string& s) {
    skip();
    if (t_.compare(i_, s.size(), s) != 0) return false;
    i_ += s.size();
    return true;
  }
  static NodeP bin(const std::string& op, NodeP a, NodeP b) {
    auto n = std::make_shared<ExprNode>();
    n->kind = ExprNode::Bin;
    n->op = op;
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
  }
  NodeP parse_or() {
    NodeP l = parse_and();
    while (eat("||")) l = bin("||", l, parse_and());
    return l;
  }
  NodeP parse_and() {
    NodeP l = parse_cmp();
    while (eat("&&")) l = bin("&&", l, parse_cmp());
    return l;
  }
  NodeP parse_cmp() {
    NodeP l = parse_sum();
    // Two-character operators first so '<=' is not read as '<'.
    for (const char* op : {"<=", ">=", "==", "!=", "<", ">"}) {
      if (eat(op)) return bin(op, l, parse_sum());
    }
    return l;
  }
  NodeP parse_sum() {
    NodeP l = parse_prod();
    for (;;) {
      if (eat("+"))
        l = bin("+", l, parse_prod());
      else if (eat("-"))
        l = bin("-", l, parse_prod());
      else
        return l;
    }
  }
  NodeP parse_prod() {
    NodeP l = parse_unary();
    for (;;) {
      if (eat("*"))
        l = bin("*", l, parse_unary());
      else if (eat("/"))
        l = bin("/", l, parse_unary());
      else
        return l;
    }
  }
  NodeP parse_unary() {
    Nest nest(*this);
    skip();
    if (i_ < t_.size() && t_[i_] == '!' && (i_ + 1 >= t_.size() || t_[i_ + 1] != '=')) {
      ++i_;
      auto n = std::make_shared<ExprNode>();
      n->kind = ExprNode::Not;
      n->a = parse_unary();
      return n;
    }
    if (eat("-")) {
      auto n = std::make_shared<ExprNode>();
      n->kind = ExprNode::Neg;
      n->a = parse_unary();
      return n;
    }
    return parse_atom();
  }
  NodeP parse_atom() {
    skip();
    if (i_ >= t_.size()) fail("expected a number, a name or '('");
    if (eat("(")) {
      NodeP n = parse_or();
      if (!eat(")")) fail("expected ')'");
      return n;
    }
    const char c = t_[i_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* start = t_.c_str() + i_;
      char* end = nullptr;
      double v = std::strtod(start, &end);
      if (end == start) fail("bad number");
      i_ += static_cast<size_t>(end - start);
      auto n = std::make_shared<ExprNode>();
      n->num = v;
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i_;
      while (j < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[j])) || t_[j] == '_' || t_[j] == '.')) ++j;
      auto n = std::make_shared<ExprNode>();
      n->kind = ExprNode::Name;
      n->name = t_.substr(i_, j - i_);
      if (n->name.back() == '.') fail("a key path cannot end with '.'");
      i_ = j;
      bool seen = false;
      for (const auto& s : names_) seen = seen || s == n->name;
      if (!seen) names_.push_back(n->name);
      return n;
    }
    fail("expected a number, a name or '('");
  }

  const std::string& t_;
  const std::string& where_;
  std::vector<std::string>& names_;
  size_t i_ = 0;
};

double eval_node(const ExprNode& n, const std::function<double(const std::string&)>& lookup) {
  switch (n.kind) {
    case ExprNode::Num: return n.num;
    case ExprNode::Name: return lookup(n.name);
    case ExprNode::Neg: return -eval_node(*n.a, lookup);
    case ExprNode::Not: return eval_node(*n.a, lookup) == 0 ? 1 : 0;
    case ExprNode::Bin: break;
  }
  const double a = eval_node(*n.a, lookup);
  if (n.op == "&&") return a != 0 && eval_node(*n.b, lookup) != 0 ? 1 : 0;
  if (n.op == "||") return a != 0 || eval_node(*n.b, lookup) != 0 ? 1 : 0;
  const double b = eval_node(*n.b, lookup);
  if (n.op == "+") return a + b;
  if (n.op == "-") return a - b;
  if (n.op == "*") return a * b;
  if (n.op == "/") return a / b;
  if (n.op == "<") return a < b;
  if (n.op == "<=") return a <= b;
  if (n.op == ">") return a > b;
  if (n.op == ">=") return a >= b;
  if (n.op == "==") return a == b;
  return a != b;  // "!="
}

}  // namespace

Expr Expr::parse(const std::string& text, const std::string& where) {
  Expr e;
  e.text_ = text;
  Parser p(text, where, e.names_);
  e.root_ = p.parse_all();
  return e;
}

double Expr::eval(const std::function<double(const std::string&)>& lookup) const { return eval_node(*root_, lookup); }

}  // namespace lpusim

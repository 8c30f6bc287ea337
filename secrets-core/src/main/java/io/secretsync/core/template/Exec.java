package io.secretsync.core.template;

import io.secretsync.core.template.Function.Param;
import io.secretsync.core.template.Node.ActionNode;
import io.secretsync.core.template.Node.BoolNode;
import io.secretsync.core.template.Node.BranchNode;
import io.secretsync.core.template.Node.BreakNode;
import io.secretsync.core.template.Node.ChainNode;
import io.secretsync.core.template.Node.CommandNode;
import io.secretsync.core.template.Node.ContinueNode;
import io.secretsync.core.template.Node.DotNode;
import io.secretsync.core.template.Node.FieldNode;
import io.secretsync.core.template.Node.IdentifierNode;
import io.secretsync.core.template.Node.ListNode;
import io.secretsync.core.template.Node.NilNode;
import io.secretsync.core.template.Node.NumberNode;
import io.secretsync.core.template.Node.PipeNode;
import io.secretsync.core.template.Node.StringNode;
import io.secretsync.core.template.Node.TemplateNode;
import io.secretsync.core.template.Node.TextNode;
import io.secretsync.core.template.Node.VariableNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Executes a parsed template the way Go's text/template does. One instance per render; not
 * thread-safe. Errors carry the offset of the node that failed and never a value.
 */
final class Exec {

  /** Marks the absence of a pipeline value (Go's {@code missingVal}). */
  private static final Object MISSING = new Object();

  /** The evaluation budget: bounds loops that print nothing. */
  static final long MAX_STEPS = 10_000_000L;

  private final Map<String, ListNode> templates;
  private final Map<String, Function> functions;
  private final TemplateOptions options;
  private final StringBuilder out = new StringBuilder();
  private long outBytes;
  private final List<String> varNames = new ArrayList<>();
  private final List<Object> varValues = new ArrayList<>();
  private int depth;
  private long steps;

  private static final class BreakSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BreakSignal() {
      super(null, null, false, false);
    }
  }

  private static final class ContinueSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ContinueSignal() {
      super(null, null, false, false);
    }
  }

  Exec(Map<String, ListNode> templates, Map<String, Function> functions, TemplateOptions options) {
    this.templates = templates;
    this.functions = functions;
    this.options = options;
  }

  String run(String name, Object data) {
    varNames.add("$");
    varValues.add(data);
    walk(data, templates.get(name));
    return out.toString();
  }

  private PositionedError error(Node node, String message) {
    return new PositionedError(node.pos(), "at <" + abbreviate(node.text()) + ">: " + message);
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  private void step(Node node) {
    if (++steps > MAX_STEPS) {
      throw new PositionedError(node.pos(), "template exceeded its evaluation budget of " + MAX_STEPS + " steps");
    }
  }

  private void write(Node node, String s) {
    outBytes += GoStrings.byteLength(s);
    if (outBytes > options.maxOutputBytes()) {
      throw new PositionedError(node.pos(),
          "output exceeds the limit of " + options.maxOutputBytes() + " bytes");
    }
    out.append(s);
  }

  // ---- statements

  private void walk(Object dot, Node node) {
    step(node);
    if (node instanceof ListNode list) {
      for (Node n : list.nodes()) {
        walk(dot, n);
      }
    } else if (node instanceof TextNode text) {
      write(node, text.content());
    } else if (node instanceof ActionNode action) {
      Object val = evalPipeline(dot, action.pipe());
      if (action.pipe().decl().isEmpty()) {
        write(node, printable(val));
      }
    } else if (node instanceof BranchNode branch) {
      if (branch.kind() == BranchNode.Kind.RANGE) {
        walkRange(dot, branch);
      } else {
        walkIfOrWith(dot, branch);
      }
    } else if (node instanceof BreakNode) {
      throw new BreakSignal();
    } else if (node instanceof ContinueNode) {
      throw new ContinueSignal();
    } else if (node instanceof TemplateNode t) {
      walkTemplate(dot, t);
    } else {
      throw error(node, "unknown node");
    }
  }

  /** How an action prints its value: {@code <no value>} for nil, else {@code fmt.Print}. */
  private static String printable(Object val) {
    return val == null ? "<no value>" : GoFmt.formatV(val);
  }

  private void walkIfOrWith(Object dot, BranchNode node) {
    int mark = varNames.size();
    try {
      Object val = evalPipeline(dot, node.pipe());
      boolean truth = GoValues.isTrue(val);
      if (truth) {
        walk(node.kind() == BranchNode.Kind.WITH ? val : dot, node.list());
      } else if (node.elseList() != null) {
        walk(dot, node.elseList());
      }
    } finally {
      pop(mark);
    }
  }

  private void walkRange(Object dot, BranchNode node) {
    int mark = varNames.size();
    PipeNode pipe = node.pipe();
    Object val = evalPipelineValue(dot, pipe);
    for (VariableNode v : pipe.decl()) {
      if (!pipe.isAssign()) {
        push(v.idents().get(0), val);
      }
    }
    int bodyMark = varNames.size();
    boolean ran = false;
    try {
      if (val instanceof GoList list) {
        for (int i = 0; i < list.items.size(); i++) {
          ran = true;
          if (!iteration(node, (long) i, list.items.get(i), bodyMark)) {
            break;
          }
        }
      } else if (val instanceof GoMap map) {
        for (Map.Entry<String, Object> e : new ArrayList<>(map.entries.entrySet())) {
          ran = true;
          if (!iteration(node, e.getKey(), e.getValue(), bodyMark)) {
            break;
          }
        }
      } else if (val instanceof Long n) {
        if (pipe.decl().size() > 1) {
          throw error(node, "can't use " + GoValues.typeName(val) + " to iterate over more than one variable");
        }
        for (long i = 0; i < n; i++) {
          ran = true;
          if (!iteration(node, i, i, bodyMark)) {
            break;
          }
        }
      } else if (val != null) {
        throw error(pipe, "range can't iterate over a value of type " + GoValues.typeName(val));
      }
      if (!ran && node.elseList() != null) {
        walk(dot, node.elseList());
      }
    } finally {
      pop(mark);
    }
  }

  /** One range iteration; false when the body said {@code break}. */
  private boolean iteration(BranchNode node, Object index, Object elem, int bodyMark) {
    PipeNode pipe = node.pipe();
    List<VariableNode> decl = pipe.decl();
    if (!decl.isEmpty()) {
      if (pipe.isAssign()) {
        setVar(decl.get(0), decl.size() > 1 ? index : elem);
        if (decl.size() > 1) {
          setVar(decl.get(1), elem);
        }
      } else if (decl.size() > 1) {
        varValues.set(bodyMark - 2, index);
        varValues.set(bodyMark - 1, elem);
      } else {
        varValues.set(bodyMark - 1, elem);
      }
    }
    try {
      walk(elem, node.list());
    } catch (ContinueSignal c) {
      return true;
    } catch (BreakSignal b) {
      return false;
    } finally {
      pop(bodyMark);
    }
    return true;
  }

  private void walkTemplate(Object dot, TemplateNode node) {
    ListNode tree = templates.get(node.name());
    if (tree == null) {
      throw error(node, "no template " + GoStrings.quote(node.name()) + " associated with this template");
    }
    if (depth >= options.maxDepth()) {
      throw error(node, "exceeded maximum template depth (" + options.maxDepth() + ")");
    }
    Object newDot = node.pipe() == null ? null : evalPipeline(dot, node.pipe());
    depth++;
    List<String> savedNames = new ArrayList<>(varNames);
    List<Object> savedValues = new ArrayList<>(varValues);
    varNames.clear();
    varValues.clear();
    varNames.add("$");
    varValues.add(newDot);
    try {
      walk(newDot, tree);
    } finally {
      varNames.clear();
      varValues.clear();
      varNames.addAll(savedNames);
      varValues.addAll(savedValues);
      depth--;
    }
  }

  // ---- variables

  private void push(String name, Object value) {
    varNames.add(name);
    varValues.add(value);
  }

  private void pop(int mark) {
    while (varNames.size() > mark) {
      varNames.remove(varNames.size() - 1);
      varValues.remove(varValues.size() - 1);
    }
  }

  private void setVar(VariableNode node, Object value) {
    String name = node.idents().get(0);
    for (int i = varNames.size() - 1; i >= 0; i--) {
      if (varNames.get(i).equals(name)) {
        varValues.set(i, value);
        return;
      }
    }
    throw error(node, "undefined variable: " + name);
  }

  private Object varValue(Node node, String name) {
    for (int i = varNames.size() - 1; i >= 0; i--) {
      if (varNames.get(i).equals(name)) {
        return varValues.get(i);
      }
    }
    throw error(node, "undefined variable: " + name);
  }

  // ---- pipelines and commands

  private Object evalPipeline(Object dot, PipeNode pipe) {
    Object value = evalPipelineValue(dot, pipe);
    for (VariableNode v : pipe.decl()) {
      if (pipe.isAssign()) {
        setVar(v, value);
      } else {
        push(v.idents().get(0), value);
      }
    }
    return value;
  }

  private Object evalPipelineValue(Object dot, PipeNode pipe) {
    step(pipe);
    Object value = MISSING;
    for (CommandNode cmd : pipe.cmds()) {
      value = evalCommand(dot, cmd, value);
    }
    return value;
  }

  private Object evalCommand(Object dot, CommandNode cmd, Object last) {
    step(cmd);
    Node first = cmd.args().get(0);
    if (first instanceof FieldNode f) {
      return evalFieldChain(dot, dot, f, f.idents(), cmd.args(), last, true);
    } else if (first instanceof ChainNode c) {
      return evalChain(dot, c, cmd.args(), last);
    } else if (first instanceof IdentifierNode id) {
      return evalFunction(dot, id, cmd.args(), last);
    } else if (first instanceof PipeNode p) {
      notAFunction(cmd.args(), last);
      return evalPipeline(dot, p);
    } else if (first instanceof VariableNode v) {
      return evalVariable(dot, v, cmd.args(), last);
    }
    notAFunction(cmd.args(), last);
    if (first instanceof BoolNode b) {
      return b.value();
    } else if (first instanceof DotNode) {
      return dot;
    } else if (first instanceof NilNode) {
      throw error(first, "nil is not a command");
    } else if (first instanceof NumberNode n) {
      return idealConstant(n);
    } else if (first instanceof StringNode s) {
      return s.value();
    }
    throw error(first, "can't evaluate command");
  }

  private void notAFunction(List<Node> args, Object last) {
    if (args.size() > 1 || last != MISSING) {
      throw error(args.get(0), "can't give argument to non-function " + args.get(0).text());
    }
  }

  private Object idealConstant(NumberNode n) {
    if (n.isFloat() && !n.isChar() && !isHexInt(n.source()) && n.source().matches(".*[.eEpP].*")) {
      return n.floatValue();
    }
    if (n.isInt()) {
      return n.intValue();
    }
    throw error(n, n.source() + " overflows int");
  }

  private static boolean isHexInt(String s) {
    String x = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
    return x.length() > 2 && (x.startsWith("0x") || x.startsWith("0X")) && !x.matches(".*[pP].*");
  }

  private Object evalVariable(Object dot, VariableNode v, List<Node> args, Object last) {
    Object value = varValue(v, v.idents().get(0));
    if (v.idents().size() == 1) {
      notAFunction(args, last);
      return value;
    }
    return evalFieldChain(dot, value, v, v.idents().subList(1, v.idents().size()), args, last, false);
  }

  private Object evalChain(Object dot, ChainNode chain, List<Node> args, Object last) {
    if (chain.node() instanceof NilNode) {
      throw error(chain, "indirection through explicit nil in " + chain.text());
    }
    Object pipe = evalArg(dot, Param.ANY, chain.node());
    return evalFieldChain(dot, pipe, chain, chain.fields(), args, last, false);
  }

  private Object evalFieldChain(Object dot, Object receiver, Node node, List<String> idents, List<Node> args,
      Object last, boolean fromDot) {
    int n = idents.size();
    for (int i = 0; i < n - 1; i++) {
      receiver = evalField(receiver, idents.get(i), node, List.of(), MISSING, fromDot && i == 0);
    }
    return evalField(receiver, idents.get(n - 1), node, args, last, fromDot && n == 1);
  }

  private Object evalField(Object receiver, String name, Node node, List<Node> args, Object last, boolean atDot) {
    boolean hasArgs = args.size() > 1 || last != MISSING;
    if (receiver == null) {
      if (atDot) {
        if (options.missingKey() == TemplateOptions.MissingKey.ERROR) {
          throw error(node, "nil data; no entry for key " + GoStrings.quote(name));
        }
        return null;
      }
      throw error(node, "nil pointer evaluating interface {}." + name);
    }
    if (receiver instanceof GoMap map) {
      if (hasArgs) {
        throw error(node, name + " is not a method but has arguments");
      }
      if (map.entries.containsKey(name)) {
        return map.entries.get(name);
      }
      if (options.missingKey() == TemplateOptions.MissingKey.ERROR) {
        throw error(node, "map has no entry for key " + GoStrings.quote(name));
      }
      return null;
    }
    throw error(node, "can't evaluate field " + name + " in type " + GoValues.typeName(receiver));
  }

  // ---- functions

  private Object evalFunction(Object dot, IdentifierNode id, List<Node> args, Object last) {
    Function fn = functions.get(id.name());
    if (fn == null) {
      throw error(id, "\"" + id.name() + "\" is not a defined function");
    }
    int numIn = args.size() - 1 + (last != MISSING ? 1 : 0);
    int fixed = fn.params().size();
    if (fn.variadic() != null) {
      if (numIn < fixed) {
        throw error(id, "wrong number of args for " + id.name() + ": want at least " + fixed + " got " + numIn);
      }
    } else if (numIn != fixed) {
      throw error(id, "wrong number of args for " + id.name() + ": want " + fixed + " got " + numIn);
    }
    if (id.name().equals("and") || id.name().equals("or")) {
      boolean isOr = id.name().equals("or");
      Object v = null;
      for (int i = 1; i < args.size(); i++) {
        v = evalArg(dot, Param.ANY, args.get(i));
        if (GoValues.isTrue(v) == isOr) {
          return v;
        }
      }
      if (last != MISSING) {
        v = last;
      }
      return v;
    }
    List<Object> argv = new ArrayList<>(numIn);
    for (int i = 1; i < args.size(); i++) {
      Param p = i - 1 < fixed ? fn.params().get(i - 1) : fn.variadic();
      argv.add(evalArg(dot, p, args.get(i)));
    }
    if (last != MISSING) {
      Param p = numIn - 1 < fixed ? fn.params().get(numIn - 1) : fn.variadic();
      argv.add(validateType(id, last, p));
    }
    Object result;
    try {
      result = fn.body().call(argv);
    } catch (Function.Failure f) {
      throw error(id, "error calling " + id.name() + ": " + f.getMessage());
    } catch (RuntimeException e) {
      if (e instanceof PositionedError || e instanceof TemplateException) {
        throw e;
      }
      throw error(id, "error calling " + id.name() + ": " + e.getClass().getSimpleName());
    } catch (StackOverflowError e) {
      throw error(id, "error calling " + id.name() + ": value nested too deeply");
    }
    if (result instanceof String s && s.length() > options.maxOutputBytes()) {
      throw error(id, "result of " + id.name() + " exceeds the limit of " + options.maxOutputBytes() + " bytes");
    }
    return result;
  }

  private Object evalArg(Object dot, Param type, Node n) {
    step(n);
    if (n instanceof DotNode) {
      return validateType(n, dot, type);
    } else if (n instanceof NilNode) {
      if (type.canBeNil()) {
        return null;
      }
      throw error(n, "cannot assign nil to " + type.goName);
    } else if (n instanceof FieldNode f) {
      return validateType(n, evalFieldChain(dot, dot, f, f.idents(), List.of(n), MISSING, true), type);
    } else if (n instanceof VariableNode v) {
      return validateType(n, evalVariable(dot, v, List.of(n), MISSING), type);
    } else if (n instanceof PipeNode p) {
      return validateType(n, evalPipeline(dot, p), type);
    } else if (n instanceof IdentifierNode id) {
      return validateType(n, evalFunction(dot, id, List.of(n), MISSING), type);
    } else if (n instanceof ChainNode c) {
      return validateType(n, evalChain(dot, c, List.of(n), MISSING), type);
    }
    switch (type) {
      case BOOL:
        if (n instanceof BoolNode b) {
          return b.value();
        }
        throw error(n, "expected bool; found " + n.text());
      case INT:
        if (n instanceof NumberNode num && num.isInt()) {
          return num.intValue();
        }
        throw error(n, "expected integer; found " + n.text());
      case FLOAT:
        if (n instanceof NumberNode num && num.isFloat()) {
          return num.floatValue();
        }
        throw error(n, "expected float; found " + n.text());
      case STRING:
        if (n instanceof StringNode s) {
          return s.value();
        }
        throw error(n, "expected string; found " + n.text());
      case ANY:
        if (n instanceof BoolNode b) {
          return b.value();
        } else if (n instanceof NumberNode num) {
          return idealConstant(num);
        } else if (n instanceof StringNode s) {
          return s.value();
        }
        throw error(n, "can't handle " + n.text() + " for arg of type " + type.goName);
      default:
        throw error(n, "can't handle " + n.text() + " for arg of type " + type.goName);
    }
  }

  private Object validateType(Node n, Object value, Param type) {
    if (value == null) {
      if (type.canBeNil()) {
        return null;
      }
      throw error(n, "invalid value; expected " + type.goName);
    }
    boolean ok = switch (type) {
      case ANY -> true;
      case STRING -> value instanceof String;
      case INT -> value instanceof Long;
      case FLOAT -> value instanceof Double;
      case BOOL -> value instanceof Boolean;
      case MAP -> value instanceof GoMap m && !m.stringValued;
      case LIST -> value instanceof GoList l && !l.stringElements;
    };
    if (!ok) {
      throw error(n, "wrong type for value; expected " + type.goName + "; got " + GoValues.typeName(value));
    }
    return value;
  }
}

package io.secretsync.core.template;

import io.secretsync.core.template.Lexer.Token;
import io.secretsync.core.template.Lexer.Type;
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
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Go text/template's parser: builds the tree of the main template and of every {@code define} and
 * {@code block}, checking functions and variables as Go does at parse time.
 */
final class Parser {

  private final List<Token> tokens;
  private final Predicate<String> isFunction;
  private final int maxDepth;
  private final Map<String, ListNode> templates = new LinkedHashMap<>();
  private List<String> vars = new ArrayList<>(List.of("$"));
  private int index;
  private int rangeDepth;
  private int depth;

  private Parser(List<Token> tokens, Predicate<String> isFunction, int maxDepth) {
    this.tokens = tokens;
    this.isFunction = isFunction;
    this.maxDepth = maxDepth;
  }

  /** The trees by template name; the main template is under {@code name}. */
  static Map<String, ListNode> parse(String name, String text, String leftDelim, String rightDelim,
      Predicate<String> isFunction, int maxDepth) {
    Parser p = new Parser(Lexer.lex(text, leftDelim, rightDelim), isFunction, maxDepth);
    ListNode root = p.parseRoot();
    Map<String, ListNode> result = new LinkedHashMap<>();
    result.put(name, root);
    p.templates.forEach((k, v) -> {
      if (!k.equals(name) || root.nodes().stream().allMatch(Parser::isEmptyNode)) {
        result.put(k, v);
      }
    });
    return result;
  }

  private static boolean isEmptyNode(Node n) {
    return n instanceof TextNode t && t.content().isBlank();
  }

  // ---- token access

  private Token next() {
    return tokens.get(Math.min(index++, tokens.size() - 1));
  }

  private Token peek() {
    return tokens.get(Math.min(index, tokens.size() - 1));
  }

  private void backup() {
    index--;
  }

  private Token nextNonSpace() {
    Token t;
    do {
      t = next();
    } while (t.type() == Type.SPACE);
    return t;
  }

  private Token peekNonSpace() {
    Token t = nextNonSpace();
    backup();
    return t;
  }

  private Token expect(Type type, String context) {
    Token t = nextNonSpace();
    if (t.type() != type) {
      throw unexpected(t, context);
    }
    return t;
  }

  private PositionedError unexpected(Token t, String context) {
    if (t.type() == Type.EOF) {
      return new PositionedError(t.pos(), "unexpected EOF in " + context);
    }
    return new PositionedError(t.pos(), "unexpected " + describe(t) + " in " + context);
  }

  private static String describe(Token t) {
    return switch (t.type()) {
      case RIGHT_DELIM -> "\"}}\"";
      case LEFT_DELIM -> "\"{{\"";
      case EOF -> "EOF";
      case SPACE -> "space";
      case STRING, RAW_STRING, NUMBER, CHAR_CONSTANT -> Lexer.quoteForError(t.val());
      default -> "<" + t.val() + ">";
    };
  }

  private PositionedError error(int pos, String message) {
    return new PositionedError(pos, message);
  }

  private void enter(int pos) {
    if (++depth > maxDepth) {
      throw error(pos, "template nesting exceeds the maximum depth (" + maxDepth + ")");
    }
  }

  private void leave() {
    depth--;
  }

  // ---- structure

  /** A marker for {{end}} and {{else}} returned by itemList. */
  private record Marker(Type type, int pos) {}

  private Object lastMarker;

  private ListNode parseRoot() {
    List<Node> nodes = new ArrayList<>();
    while (peek().type() != Type.EOF) {
      if (peek().type() == Type.LEFT_DELIM) {
        int save = index;
        next();
        if (nextNonSpace().type() == Type.DEFINE) {
          parseDefinition();
          continue;
        }
        index = save;
      }
      Object n = textOrAction();
      if (n instanceof Marker m) {
        throw error(m.pos(), "unexpected {{" + (m.type() == Type.END ? "end" : "else") + "}}");
      }
      nodes.add((Node) n);
    }
    return new ListNode(0, nodes);
  }

  private void parseDefinition() {
    Token nameToken = nextNonSpace();
    String name = templateName(nameToken, "define clause");
    expect(Type.RIGHT_DELIM, "define clause");
    List<String> saved = vars;
    vars = new ArrayList<>(List.of("$"));
    ListNode body = itemList();
    if (!(lastMarker instanceof Marker m) || m.type() != Type.END) {
      throw error(nameToken.pos(), "unexpected {{else}} in define clause");
    }
    vars = saved;
    addTemplate(name, body);
  }

  private void addTemplate(String name, ListNode body) {
    ListNode old = templates.get(name);
    if (old != null && body.nodes().stream().allMatch(Parser::isEmptyNode)) {
      return;
    }
    templates.put(name, body);
  }

  private String templateName(Token t, String context) {
    if (t.type() == Type.STRING || t.type() == Type.RAW_STRING) {
      return unquote(t);
    }
    throw unexpected(t, context);
  }

  /** Parses nodes up to {{end}} or {{else}}, leaving the marker in {@link #lastMarker}. */
  private ListNode itemList() {
    int start = peek().pos();
    List<Node> nodes = new ArrayList<>();
    while (peekNonSpace().type() != Type.EOF) {
      Object n = textOrAction();
      if (n instanceof Marker) {
        lastMarker = n;
        return new ListNode(start, nodes);
      }
      nodes.add((Node) n);
    }
    throw error(peek().pos(), "unexpected EOF");
  }

  private Object textOrAction() {
    Token t = nextNonSpace();
    if (t.type() == Type.TEXT) {
      return new TextNode(t.pos(), t.val());
    }
    if (t.type() == Type.LEFT_DELIM) {
      return action();
    }
    throw unexpected(t, "input");
  }

  private Object action() {
    Token t = nextNonSpace();
    switch (t.type()) {
      case BLOCK:
        return blockControl(t);
      case BREAK:
      case CONTINUE: {
        String word = t.type() == Type.BREAK ? "break" : "continue";
        Token close = nextNonSpace();
        if (close.type() != Type.RIGHT_DELIM) {
          throw error(close.pos(), "unexpected " + describe(close) + " in {{" + word + "}}");
        }
        if (rangeDepth == 0) {
          throw error(t.pos(), "{{" + word + "}} outside {{range}}");
        }
        return t.type() == Type.BREAK ? new BreakNode(t.pos()) : new ContinueNode(t.pos());
      }
      case ELSE: {
        Token p = peekNonSpace();
        if (p.type() == Type.IF || p.type() == Type.WITH) {
          return new Marker(Type.ELSE, t.pos());
        }
        expect(Type.RIGHT_DELIM, "else");
        return new Marker(Type.ELSE, t.pos());
      }
      case END:
        expect(Type.RIGHT_DELIM, "end");
        return new Marker(Type.END, t.pos());
      case IF:
        return control(BranchNode.Kind.IF, t.pos());
      case RANGE:
        return control(BranchNode.Kind.RANGE, t.pos());
      case WITH:
        return control(BranchNode.Kind.WITH, t.pos());
      case TEMPLATE:
        return templateControl(t);
      default:
        backup();
        return new ActionNode(t.pos(), pipeline("command", Type.RIGHT_DELIM));
    }
  }

  private Node control(BranchNode.Kind kind, int pos) {
    enter(pos);
    int mark = vars.size();
    String context = kind.name().toLowerCase(java.util.Locale.ROOT);
    PipeNode pipe = pipeline(context, Type.RIGHT_DELIM);
    if (kind == BranchNode.Kind.RANGE) {
      rangeDepth++;
    }
    ListNode list = itemList();
    if (kind == BranchNode.Kind.RANGE) {
      rangeDepth--;
    }
    ListNode elseList = null;
    Marker m = (Marker) lastMarker;
    if (m.type() == Type.ELSE) {
      Type following = peekNonSpace().type();
      if (kind == BranchNode.Kind.IF && following == Type.IF) {
        Token ifToken = nextNonSpace();
        elseList = new ListNode(m.pos(), List.of(control(BranchNode.Kind.IF, ifToken.pos())));
      } else if (kind == BranchNode.Kind.WITH && following == Type.WITH) {
        Token withToken = nextNonSpace();
        elseList = new ListNode(m.pos(), List.of(control(BranchNode.Kind.WITH, withToken.pos())));
      } else {
        elseList = itemList();
        Marker end = (Marker) lastMarker;
        if (end.type() != Type.END) {
          throw error(end.pos(), "expected end; found {{else}}");
        }
      }
    }
    vars = new ArrayList<>(vars.subList(0, mark));
    leave();
    return new BranchNode(pos, kind, pipe, list, elseList);
  }

  private Node templateControl(Token keyword) {
    Token nameToken = nextNonSpace();
    String name = templateName(nameToken, "template clause");
    PipeNode pipe = null;
    if (nextNonSpace().type() != Type.RIGHT_DELIM) {
      backup();
      pipe = pipeline("template clause", Type.RIGHT_DELIM);
    }
    return new TemplateNode(keyword.pos(), name, pipe);
  }

  private Node blockControl(Token keyword) {
    Token nameToken = nextNonSpace();
    String name = templateName(nameToken, "block clause");
    PipeNode pipe = pipeline("block clause", Type.RIGHT_DELIM);
    List<String> saved = vars;
    vars = new ArrayList<>(List.of("$"));
    enter(keyword.pos());
    ListNode body = itemList();
    leave();
    if (((Marker) lastMarker).type() != Type.END) {
      throw error(keyword.pos(), "unexpected {{else}} in block clause");
    }
    vars = saved;
    addTemplate(name, body);
    return new TemplateNode(keyword.pos(), name, pipe);
  }

  // ---- pipelines

  private PipeNode pipeline(String context, Type end) {
    Token first = peekNonSpace();
    enter(first.pos());
    List<VariableNode> decl = new ArrayList<>();
    boolean isAssign = false;
    decls:
    while (peekNonSpace().type() == Type.VARIABLE) {
      int save = index;
      Token v = nextNonSpace();
      Token next = peekNonSpace();
      if (next.type() == Type.ASSIGN || next.type() == Type.DECLARE) {
        isAssign = next.type() == Type.ASSIGN;
        nextNonSpace();
        decl.add(new VariableNode(v.pos(), List.of(v.val())));
        vars.add(v.val());
        break;
      } else if (next.type() == Type.CHAR && next.val().equals(",")) {
        nextNonSpace();
        decl.add(new VariableNode(v.pos(), List.of(v.val())));
        vars.add(v.val());
        if (context.equals("range") && decl.size() < 2) {
          Type after = peekNonSpace().type();
          if (after == Type.VARIABLE || after == Type.RIGHT_DELIM || after == Type.RIGHT_PAREN) {
            continue decls;
          }
          throw error(next.pos(), "range can only initialize variables");
        }
        throw error(next.pos(), "too many declarations in " + context);
      } else {
        index = save;
        break;
      }
    }
    List<CommandNode> cmds = new ArrayList<>();
    while (true) {
      Token t = nextNonSpace();
      if (t.type() == end) {
        if (cmds.isEmpty()) {
          throw error(t.pos(), "missing value for " + context);
        }
        for (int i = 1; i < cmds.size(); i++) {
          Node a = cmds.get(i).args().get(0);
          if (a instanceof BoolNode || a instanceof DotNode || a instanceof NilNode || a instanceof NumberNode
              || a instanceof StringNode) {
            throw error(a.pos(), "non executable command in pipeline stage " + (i + 1));
          }
        }
        leave();
        return new PipeNode(first.pos(), isAssign, decl, cmds);
      }
      switch (t.type()) {
        case BOOL, CHAR_CONSTANT, DOT, FIELD, IDENTIFIER, NUMBER, NIL, RAW_STRING, STRING, VARIABLE, LEFT_PAREN -> {
          backup();
          cmds.add(command());
        }
        default -> throw unexpected(t, context);
      }
    }
  }

  private CommandNode command() {
    int pos = peekNonSpace().pos();
    List<Node> args = new ArrayList<>();
    while (true) {
      peekNonSpace();
      Node operand = operand();
      if (operand != null) {
        args.add(operand);
      }
      Token t = next();
      if (t.type() == Type.SPACE) {
        continue;
      }
      if (t.type() == Type.RIGHT_DELIM || t.type() == Type.RIGHT_PAREN) {
        backup();
      } else if (t.type() != Type.PIPE) {
        throw unexpected(t, "operand");
      }
      break;
    }
    if (args.isEmpty()) {
      throw error(pos, "empty command");
    }
    return new CommandNode(pos, args);
  }

  private Node operand() {
    Node node = term();
    if (node == null) {
      return null;
    }
    if (peek().type() == Type.FIELD) {
      int pos = peek().pos();
      List<String> fields = new ArrayList<>();
      while (peek().type() == Type.FIELD) {
        fields.add(next().val().substring(1));
      }
      if (node instanceof FieldNode f) {
        List<String> all = new ArrayList<>(f.idents());
        all.addAll(fields);
        return new FieldNode(f.pos(), all);
      } else if (node instanceof VariableNode v) {
        List<String> all = new ArrayList<>(v.idents());
        all.addAll(fields);
        return new VariableNode(v.pos(), all);
      } else if (node instanceof BoolNode || node instanceof StringNode || node instanceof NumberNode
          || node instanceof NilNode || node instanceof DotNode) {
        throw error(pos, "unexpected . after term " + Lexer.quoteForError(node.text()));
      }
      return new ChainNode(node.pos(), node, fields);
    }
    return node;
  }

  private Node term() {
    Token t = nextNonSpace();
    switch (t.type()) {
      case IDENTIFIER:
        if (!isFunction.test(t.val())) {
          throw error(t.pos(), "function " + GoStrings.quote(t.val()) + " not defined");
        }
        return new IdentifierNode(t.pos(), t.val());
      case DOT:
        return new DotNode(t.pos());
      case NIL:
        return new NilNode(t.pos());
      case VARIABLE:
        if (!vars.contains(t.val())) {
          throw error(t.pos(), "undefined variable " + GoStrings.quote(t.val()));
        }
        return new VariableNode(t.pos(), List.of(t.val()));
      case FIELD:
        return new FieldNode(t.pos(), List.of(t.val().substring(1)));
      case BOOL:
        return new BoolNode(t.pos(), t.val().equals("true"));
      case CHAR_CONSTANT:
      case NUMBER:
        return number(t);
      case LEFT_PAREN:
        return pipeline("parenthesized pipeline", Type.RIGHT_PAREN);
      case STRING:
      case RAW_STRING:
        return new StringNode(t.pos(), t.val(), unquote(t));
      default:
        backup();
        return null;
    }
  }

  // ---- literals

  private NumberNode number(Token t) {
    String text = t.val();
    if (t.type() == Type.CHAR_CONSTANT) {
      int rune = unquoteChar(t);
      return new NumberNode(t.pos(), text, true, rune, true, rune, true);
    }
    if (text.endsWith("i")) {
      throw error(t.pos(), "complex constants are not supported: " + Lexer.quoteForError(text));
    }
    BigInteger big = parseInteger(text);
    if (big != null) {
      boolean fitsInt = big.bitLength() < 64;
      if (fitsInt) {
        return new NumberNode(t.pos(), text, true, big.longValue(), true, big.doubleValue(), false);
      }
      if (big.signum() > 0 && big.bitLength() <= 64) {
        return new NumberNode(t.pos(), text, false, 0, true, big.doubleValue(), false);
      }
    }
    double f;
    try {
      String clean = text.replace("_", "");
      if (clean.startsWith("+")) {
        clean = clean.substring(1);
      }
      f = Double.parseDouble(isHex(clean) && !clean.toLowerCase(java.util.Locale.ROOT).contains("p")
          ? clean + "p0" : clean);
    } catch (NumberFormatException e) {
      throw error(t.pos(), "illegal number syntax: " + Lexer.quoteForError(text));
    }
    if (Double.isInfinite(f)) {
      throw error(t.pos(), "illegal number syntax: " + Lexer.quoteForError(text));
    }
    if (!text.matches(".*[.eEpP].*") || isHex(text) && !text.matches(".*[.pP].*")) {
      throw error(t.pos(), "integer overflow: " + Lexer.quoteForError(text));
    }
    boolean isInt = f == Math.rint(f) && Math.abs(f) < 9.223372036854776E18;
    return new NumberNode(t.pos(), text, isInt, isInt ? (long) f : 0, true, f, false);
  }

  private static boolean isHex(String s) {
    String x = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
    return x.startsWith("0x") || x.startsWith("0X");
  }

  /** Go's {@code strconv.ParseInt(text, 0, 64)} domain, widened to BigInteger; null when not an integer. */
  private static BigInteger parseInteger(String text) {
    String s = text;
    boolean neg = false;
    if (s.startsWith("+") || s.startsWith("-")) {
      neg = s.startsWith("-");
      s = s.substring(1);
    }
    int radix = 10;
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("0x")) {
      radix = 16;
      s = s.substring(2);
    } else if (lower.startsWith("0o")) {
      radix = 8;
      s = s.substring(2);
    } else if (lower.startsWith("0b")) {
      radix = 2;
      s = s.substring(2);
    } else if (s.length() > 1 && s.startsWith("0")) {
      radix = 8;
      s = s.substring(1);
    }
    if (radix == 10 && s.contains("_")) {
      return null;
    }
    s = s.replace("_", "");
    if (s.isEmpty()) {
      return null;
    }
    try {
      BigInteger v = new BigInteger(s, radix);
      return neg ? v.negate() : v;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private String unquote(Token t) {
    String q = t.val();
    if (t.type() == Type.RAW_STRING) {
      return q.substring(1, q.length() - 1).replace("\r", "");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 1;
    int end = q.length() - 1;
    while (i < end) {
      char c = q.charAt(i);
      if (c != '\\') {
        int cp = q.codePointAt(i);
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i += Character.charCount(cp);
        continue;
      }
      i = escape(q, i + 1, '"', out, t.pos());
    }
    return GoStrings.fromBytes(out.toByteArray());
  }

  private int unquoteChar(Token t) {
    String q = t.val();
    String body = q.substring(1, q.length() - 1);
    if (body.isEmpty()) {
      throw error(t.pos(), "malformed character constant: " + q);
    }
    if (body.charAt(0) != '\\') {
      int cp = body.codePointAt(0);
      if (Character.charCount(cp) != body.length()) {
        throw error(t.pos(), "malformed character constant: " + q);
      }
      return cp;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int next = escape(q, 2, '\'', out, t.pos());
    if (next != q.length() - 1) {
      throw error(t.pos(), "malformed character constant: " + q);
    }
    byte[] b = out.toByteArray();
    if (b.length == 1) {
      return b[0] & 0xff;
    }
    return new String(b, StandardCharsets.UTF_8).codePointAt(0);
  }

  /** Decodes the escape after the backslash at {@code i - 1}; returns the index after it. */
  private int escape(String q, int i, char quote, ByteArrayOutputStream out, int pos) {
    if (i >= q.length() - 1) {
      throw error(pos, "invalid syntax in quoted string");
    }
    char c = q.charAt(i);
    int simple = switch (c) {
      case 'a' -> 7;
      case 'b' -> '\b';
      case 'f' -> '\f';
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'v' -> 0x0B;
      case '\\' -> '\\';
      default -> -1;
    };
    if (simple >= 0) {
      out.write(simple);
      return i + 1;
    }
    if (c == quote) {
      out.write(c);
      return i + 1;
    }
    if (c == 'x' || c == 'u' || c == 'U') {
      int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (i + 1 + n > q.length() - 1) {
        throw error(pos, "invalid syntax in quoted string");
      }
      int v;
      try {
        v = (int) Long.parseLong(q.substring(i + 1, i + 1 + n), 16);
      } catch (NumberFormatException e) {
        throw error(pos, "invalid syntax in quoted string");
      }
      if (c == 'x') {
        out.write(v);
      } else {
        if (v < 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
          throw error(pos, "invalid syntax in quoted string");
        }
        byte[] b = new String(Character.toChars(v)).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
      return i + 1 + n;
    }
    if (c >= '0' && c <= '7') {
      if (i + 3 > q.length() - 1) {
        throw error(pos, "invalid syntax in quoted string");
      }
      String oct = q.substring(i, i + 3);
      if (!oct.chars().allMatch(d -> d >= '0' && d <= '7')) {
        throw error(pos, "invalid syntax in quoted string");
      }
      int v = Integer.parseInt(oct, 8);
      if (v > 255) {
        throw error(pos, "invalid syntax in quoted string");
      }
      out.write(v);
      return i + 3;
    }
    throw error(pos, "invalid syntax in quoted string");
  }

  static List<String> splitDots(String s) {
    return Arrays.asList(s.split("\\."));
  }
}

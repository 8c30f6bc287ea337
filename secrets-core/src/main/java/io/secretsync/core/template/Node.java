package io.secretsync.core.template;

import java.util.List;

/** The parse tree of Go text/template. Each node knows its offset in the source, for errors. */
sealed interface Node {

  int pos();

  /** Source-like text of the node, used in error messages ({@code at <.foo>}). Never a value. */
  String text();

  record ListNode(int pos, List<Node> nodes) implements Node {
    public String text() {
      return "";
    }
  }

  record TextNode(int pos, String content) implements Node {
    public String text() {
      return "text";
    }
  }

  record ActionNode(int pos, PipeNode pipe) implements Node {
    public String text() {
      return "{{" + pipe.text() + "}}";
    }
  }

  record PipeNode(int pos, boolean isAssign, List<VariableNode> decl, List<CommandNode> cmds) implements Node {
    public String text() {
      StringBuilder b = new StringBuilder();
      if (!decl.isEmpty()) {
        for (int i = 0; i < decl.size(); i++) {
          b.append(i > 0 ? ", " : "").append(decl.get(i).text());
        }
        b.append(isAssign ? " = " : " := ");
      }
      for (int i = 0; i < cmds.size(); i++) {
        b.append(i > 0 ? " | " : "").append(cmds.get(i).text());
      }
      return b.toString();
    }
  }

  record CommandNode(int pos, List<Node> args) implements Node {
    public String text() {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < args.size(); i++) {
        Node a = args.get(i);
        b.append(i > 0 ? " " : "").append(a instanceof PipeNode ? "(" + a.text() + ")" : a.text());
      }
      return b.toString();
    }
  }

  record FieldNode(int pos, List<String> idents) implements Node {
    public String text() {
      return "." + String.join(".", idents);
    }
  }

  /** {@code $}, {@code $x}, or {@code $x.a.b}: the first ident is the variable's name. */
  record VariableNode(int pos, List<String> idents) implements Node {
    public String text() {
      return String.join(".", idents);
    }
  }

  record ChainNode(int pos, Node node, List<String> fields) implements Node {
    public String text() {
      String inner = node instanceof PipeNode ? "(" + node.text() + ")" : node.text();
      return inner + "." + String.join(".", fields);
    }
  }

  record IdentifierNode(int pos, String name) implements Node {
    public String text() {
      return name;
    }
  }

  record DotNode(int pos) implements Node {
    public String text() {
      return ".";
    }
  }

  record NilNode(int pos) implements Node {
    public String text() {
      return "nil";
    }
  }

  record BoolNode(int pos, boolean value) implements Node {
    public String text() {
      return Boolean.toString(value);
    }
  }

  /** A number constant as Go's parser sees it: it may be usable as an int, a float, or both. */
  record NumberNode(int pos, String source, boolean isInt, long intValue, boolean isFloat, double floatValue,
      boolean isChar) implements Node {
    public String text() {
      return source;
    }
  }

  record StringNode(int pos, String quoted, String value) implements Node {
    public String text() {
      return quoted;
    }
  }

  /** {@code if}, {@code range} and {@code with}; elseList may be null. */
  record BranchNode(int pos, Kind kind, PipeNode pipe, ListNode list, ListNode elseList) implements Node {
    enum Kind { IF, RANGE, WITH }

    public String text() {
      return "{{" + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + pipe.text() + "}}";
    }
  }

  record BreakNode(int pos) implements Node {
    public String text() {
      return "{{break}}";
    }
  }

  record ContinueNode(int pos) implements Node {
    public String text() {
      return "{{continue}}";
    }
  }

  /** {@code {{template "name" pipeline}}}; pipe may be null. */
  record TemplateNode(int pos, String name, PipeNode pipe) implements Node {
    public String text() {
      return "{{template \"" + name + "\"" + (pipe == null ? "" : " " + pipe.text()) + "}}";
    }
  }
}

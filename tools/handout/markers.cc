#include "tools/handout/markers.hh"

#include <array>

namespace handout {
namespace {

enum class Kind { Begin, Stub, End };

struct Marker {
    Kind kind;
    int lab;
};

// What a single input line is, syntactically.
struct Line {
    enum { Text, MarkerLine, BadMarker, StubLine, BadStub } type = Text;
    Marker marker{};
    std::string_view indent;  // leading whitespace (stub lines)
    std::string_view text;    // stub text with "//~ " removed
};

constexpr std::array<std::pair<std::string_view, Kind>, 3> kKeywords{{
    {"BEGIN LAB", Kind::Begin}, {"STUB LAB", Kind::Stub}, {"END LAB", Kind::End},
}};

std::string_view kind_name(Kind k) {
    return k == Kind::Begin ? "BEGIN" : k == Kind::Stub ? "STUB" : "END";
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Parses "<n>" then end-of-line (trailing whitespace allowed) or ':' + text.
std::optional<int> parse_lab_tail(std::string_view s) {
    size_t i = 0;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i < 6)
        n = n * 10 + (s[i++] - '0');
    if (i == 0 || n == 0)
        return std::nullopt;
    std::string_view rest = s.substr(i);
    if (!rest.empty() && rest[0] == ':')
        return n;
    for (char c : rest)
        if (!is_space(c))
            return std::nullopt;
    return n;
}

Line classify(std::string_view raw, std::string_view prefix) {
    Line l;
    size_t ws = 0;
    while (ws < raw.size() && (raw[ws] == ' ' || raw[ws] == '\t'))
        ws++;
    std::string_view s = raw.substr(ws);
    if (!s.starts_with(prefix))
        return l;
    s.remove_prefix(prefix.size());

    if (s.starts_with('~')) {
        s.remove_prefix(1);
        l.indent = raw.substr(0, ws);
        if (s.empty() || s == "\r") {
            l.type = Line::StubLine;
            l.text = s;  // keeps a CRLF file's '\r'
        } else if (s[0] == ' ') {
            l.type = Line::StubLine;
            l.text = s.substr(1);
        } else {
            l.type = Line::BadStub;
        }
        return l;
    }
    if (!s.starts_with(' '))
        return l;
    s.remove_prefix(1);
    for (auto [word, kind] : kKeywords) {
        if (!s.starts_with(word))
            continue;
        // "// END LABEL" is ordinary prose; "// END LAB x" is a broken marker
        // we refuse rather than silently leak a solution through.
        std::string_view tail = s.substr(word.size());
        if (!tail.empty() && tail[0] != ' ' && tail[0] != ':' && !is_space(tail[0]))
            return l;
        std::optional<int> n;
        if (tail.starts_with(' '))
            n = parse_lab_tail(tail.substr(1));
        l.type = n ? Line::MarkerLine : Line::BadMarker;
        l.marker = {kind, n.value_or(0)};
        return l;
    }
    return l;
}

}  // namespace

Transform transform_source(std::string_view text, int lab, CommentStyle style) {
    const std::string_view prefix = style == CommentStyle::Slash ? "//" : "#";
    Transform out;
    auto error = [&](int line, std::string msg) {
        out.errors.push_back({line, std::move(msg)});
    };

    // The open region, if any.
    bool open = false, in_stub = false, has_hint = false;
    int region_lab = 0, begin_line = 0;
    std::string hint;

    int lineno = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view raw = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        lineno++;

        Line l = classify(raw, prefix);
        // Earlier labs keep their solutions (each lab stays assignable on
        // its own); this lab and every later one get their stubs.
        const bool emit_solution = open && !in_stub && region_lab < lab;

        switch (l.type) {
        case Line::Text:
            if (in_stub)
                error(lineno, "expected a stub line ('" + std::string(prefix) +
                                  "~ text') or END LAB " + std::to_string(region_lab));
            else if (!open || emit_solution)
                out.text.append(raw).push_back('\n');
            break;

        case Line::BadMarker:
            error(lineno, "malformed marker; expected '" + std::string(prefix) + " " +
                              std::string(kind_name(l.marker.kind)) + " LAB <n>[: text]'");
            break;

        case Line::BadStub:
            error(lineno, "stub line needs a space after '" + std::string(prefix) + "~'");
            break;

        case Line::StubLine:
            if (!in_stub) {
                error(lineno, "stub line outside a region's stub part");
                break;
            }
            if (l.text.find(hint) != std::string_view::npos)
                has_hint = true;
            if (region_lab >= lab) {
                if (!l.text.empty() && l.text != "\r")
                    out.text.append(l.indent);
                out.text.append(l.text).push_back('\n');
            }
            break;

        case Line::MarkerLine: {
            const Marker m = l.marker;
            const std::string lab_str = "LAB " + std::to_string(m.lab);
            if (m.kind == Kind::Begin) {
                if (open) {
                    error(lineno, "BEGIN " + lab_str + " inside the LAB " +
                                      std::to_string(region_lab) + " region opened at line " +
                                      std::to_string(begin_line) + " (regions do not nest)");
                    break;
                }
                open = true, in_stub = false, has_hint = false;
                region_lab = m.lab, begin_line = lineno;
                hint = lab_str + ": your code here";
                out.labs_seen.insert(m.lab);
                break;
            }
            if (!open) {
                error(lineno, std::string(kind_name(m.kind)) + " " + lab_str + " without an open BEGIN");
                break;
            }
            if (m.lab != region_lab)
                error(lineno, std::string(kind_name(m.kind)) + " " + lab_str +
                                  " does not match BEGIN LAB " + std::to_string(region_lab) +
                                  " at line " + std::to_string(begin_line));
            if (m.kind == Kind::Stub) {
                if (in_stub)
                    error(lineno, "second STUB in the region opened at line " +
                                      std::to_string(begin_line));
                in_stub = true;
                break;
            }
            // END
            if (!in_stub)
                error(lineno, "END " + lab_str + " without a STUB part");
            else if (!has_hint)
                error(begin_line, "stub of this region has no line containing '" + hint + "'");
            (region_lab == lab ? out.regions_stubbed
                               : region_lab > lab ? out.regions_later_stubbed : out.regions_kept)++;
            open = in_stub = false;
            break;
        }
        }
    }
    if (open)
        error(begin_line, "file ends inside the LAB " + std::to_string(region_lab) +
                              " region opened here");

    // Every emitted line got a '\n'; drop the last one if the input lacked it.
    if (!text.empty() && text.back() != '\n' && !out.text.empty())
        out.text.pop_back();
    return out;
}

std::optional<CommentStyle> style_for_path(std::string_view path, std::string_view head) {
    const size_t slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const size_t dot = name.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot);

    for (std::string_view e : {".c", ".h", ".cc", ".hh", ".cpp", ".hpp", ".cxx"})
        if (ext == e)
            return CommentStyle::Slash;
    for (std::string_view e : {".S", ".s", ".py", ".sh", ".bash", ".mk", ".gdbinit", ".cmake",
                               ".yml", ".yaml", ".toml"})
        if (ext == e)
            return CommentStyle::Hash;
    for (std::string_view n : {"Makefile", "GNUmakefile", "makefile", "CMakeLists.txt"})
        if (name == n)
            return CommentStyle::Hash;
    // Extensionless scripts (grading helpers and the like).
    if (ext.empty() && head.starts_with("#!"))
        return CommentStyle::Hash;
    return std::nullopt;
}

}  // namespace handout

// exokit-handout: writes the student tree for one lab from the reference
// solution tree. See markers.hh for the per-file transformation.
//
// Everything is read and transformed in memory first, so a marker error
// leaves OUT untouched.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tools/handout/markers.hh"

namespace fs = std::filesystem;
using handout::CommentStyle;

namespace {

struct Options {
    int lab = 0;
    fs::path src, out, exclude_file;
    bool force = false;
};

struct Entry {
    enum Kind { File, Link } kind;
    fs::path rel;
    std::string data;    // File: output contents
    fs::perms perms{};   // File: source permissions (keeps the executable bit)
    fs::path target;     // Link: symlink target, copied as is
};

[[noreturn]] void die(const std::string& msg) {
    std::cerr << "exokit-handout: " << msg << "\n";
    std::exit(1);
}

[[noreturn]] void usage() {
    std::cerr << "usage: exokit-handout --lab N --src DIR --out DIR "
                 "[--exclude-file FILE] [--force]\n";
    std::exit(2);
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--force") {
            o.force = true;
            continue;
        }
        if (i + 1 >= argc)
            usage();
        std::string v = argv[++i];
        if (a == "--lab") {
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), o.lab);
            if (ec != std::errc() || p != v.data() + v.size() || o.lab <= 0)
                die("--lab wants a positive integer, got '" + v + "'");
        } else if (a == "--src") {
            o.src = v;
        } else if (a == "--out") {
            o.out = v;
        } else if (a == "--exclude-file") {
            o.exclude_file = v;
        } else {
            usage();
        }
    }
    if (o.lab == 0 || o.src.empty() || o.out.empty())
        usage();
    return o;
}

// True if p is base or lies below it (both canonical).
bool within(const fs::path& p, const fs::path& base) {
    fs::path rel = p.lexically_relative(base);
    return !rel.empty() && *rel.begin() != "..";
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        die("cannot read " + p.string());
    return {std::istreambuf_iterator<char>(in), {}};
}

// Exclude entries (relative, normalized, generic form) -> whether one matched.
std::map<std::string, bool> read_excludes(const Options& o, const fs::path& src) {
    std::map<std::string, bool> ex;
    ex["tools/handout"] = true;  // the generator itself is graders-only
    if (o.exclude_file.empty())
        return ex;
    std::istringstream lines(read_file(o.exclude_file));
    std::string line;
    for (int n = 1; std::getline(lines, line); n++) {
        const size_t b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos || line[b] == '#')
            continue;
        line = line.substr(b, line.find_last_not_of(" \t\r") + 1 - b);
        fs::path p = fs::path(line).lexically_normal();
        std::string s = p.generic_string();
        while (s.size() > 1 && s.back() == '/')
            s.pop_back();
        if (p.is_absolute() || s == "." || s.starts_with(".."))
            die(o.exclude_file.string() + ":" + std::to_string(n) +
                ": exclude paths must be relative to SRC: " + line);
        ex.emplace(s, false);
    }
    // The exclude list names the graders' files, so it is one of them.
    fs::path self = fs::weakly_canonical(o.exclude_file);
    if (within(self, src))
        ex[self.lexically_relative(src).generic_string()] = true;
    return ex;
}

// A later lab's definition, handout or tests (labs/labM.json,
// handouts/labM.md, grade/test_labM.py with M > lab): the student tree
// holds no trace of labs it has not reached.
bool later_lab_file(const fs::path& rel, int lab) {
    static const std::pair<std::string, std::string> kinds[] = {
        {"labs/lab", ".json"}, {"handouts/lab", ".md"}, {"grade/test_lab", ".py"}};
    const std::string s = rel.generic_string();
    for (const auto& [prefix, suffix] : kinds) {
        if (!s.starts_with(prefix) || !s.ends_with(suffix) || s.size() <= prefix.size() + suffix.size())
            continue;
        std::string_view digits(s.data() + prefix.size(), s.size() - prefix.size() - suffix.size());
        int n = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (ec == std::errc() && p == digits.data() + digits.size() && n > lab)
            return true;
    }
    return false;
}

bool excluded(const fs::path& rel, std::map<std::string, bool>& ex, int lab) {
    // Generated, like build/: the student's own make writes its own.
    if (rel.filename() == ".git" || rel == "build" || rel == "compile_commands.json" ||
        rel == ".pytest_cache" || later_lab_file(rel, lab))
        return true;
    fs::path prefix;
    for (const fs::path& part : rel) {
        prefix /= part;
        if (auto it = ex.find(prefix.generic_string()); it != ex.end())
            return it->second = true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) try {
    const Options o = parse_args(argc, argv);
    if (!fs::is_directory(o.src))
        die("SRC is not a directory: " + o.src.string());
    const fs::path src = fs::canonical(o.src);
    const fs::path out = fs::weakly_canonical(o.out);

    // Guard the reference tree: --force below deletes OUT.
    if (within(out, src) && !within(out, src / "build"))
        die("OUT must not be inside SRC (except under SRC/build/)");
    if (within(src, out))
        die("OUT must not contain SRC");
    if (fs::exists(out) && !o.force &&
        (!fs::is_directory(out) || !fs::is_empty(out)))
        die("OUT exists and is not empty (use --force to replace it): " + o.out.string());

    auto excludes = read_excludes(o, src);

    std::vector<Entry> entries;
    for (auto it = fs::recursive_directory_iterator(src); it != fs::recursive_directory_iterator();
         ++it) {
        fs::path rel = it->path().lexically_relative(src);
        if (excluded(rel, excludes, o.lab)) {
            it.disable_recursion_pending();
            continue;
        }
        // Directories are created as their files are written, so ones left
        // empty by exclusion (e.g. tools/) do not appear; git drops them anyway.
        if (it->is_symlink())
            entries.push_back({Entry::Link, rel, {}, {}, fs::read_symlink(it->path())});
        else if (it->is_directory())
            continue;
        else if (it->is_regular_file())
            entries.push_back({Entry::File, rel, read_file(it->path()),
                               it->status().permissions(), {}});
        else
            std::cerr << "exokit-handout: warning: skipping special file " << rel << "\n";
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.rel < b.rel; });

    int errors = 0, files = 0, stubbed = 0, later = 0, kept = 0;
    bool lab_seen = false;
    for (Entry& e : entries) {
        files++;
        if (e.kind != Entry::File)
            continue;
        auto style = handout::style_for_path(e.rel.generic_string(),
                                             std::string_view(e.data).substr(0, 2));
        if (!style)
            continue;
        handout::Transform t = handout::transform_source(e.data, o.lab, *style);
        for (const auto& err : t.errors) {
            std::cerr << (o.src / e.rel).string() << ":" << err.line << ": " << err.message
                      << "\n";
            errors++;
        }
        lab_seen |= t.labs_seen.contains(o.lab);
        stubbed += t.regions_stubbed;
        later += t.regions_later_stubbed;
        kept += t.regions_kept;
        e.data = std::move(t.text);
    }
    for (const auto& [path, used] : excludes)
        if (!used)
            std::cerr << "exokit-handout: warning: exclude entry '" << path
                      << "' matches nothing\n";
    if (errors)
        die(std::to_string(errors) + " marker error(s); nothing written");
    if (!lab_seen)
        die("lab " + std::to_string(o.lab) + " has no solution regions");

    if (o.force)
        fs::remove_all(out);
    fs::create_directories(out);
    for (const Entry& e : entries) {
        const fs::path dest = out / e.rel;
        fs::create_directories(dest.parent_path());
        if (e.kind == Entry::Link) {
            fs::create_symlink(e.target, dest);
        } else if (e.kind == Entry::File) {
            std::ofstream f(dest, std::ios::binary);
            f.write(e.data.data(), static_cast<std::streamsize>(e.data.size()));
            if (!f.flush())
                die("cannot write " + dest.string());
            f.close();
            fs::permissions(dest, e.perms, fs::perm_options::replace);
        }
    }
    std::cout << "handout lab " << o.lab << ": " << files << " files, " << stubbed
              << " regions stubbed, " << later << " later-lab regions stubbed, " << kept
              << " earlier-lab regions kept -> " << o.out.string() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "exokit-handout: " << e.what() << "\n";
    return 1;
}

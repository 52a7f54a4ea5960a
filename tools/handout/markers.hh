// Lab-region marker processing for the handout generator. Pure text in,
// text out: no filesystem access, so it can be unit-tested directly.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace handout {

// Which line-comment prefix a file's markers use.
enum class CommentStyle { Slash, Hash };  // "//" and "#"

struct MarkerError {
    int line;             // 1-based line in the input
    std::string message;
};

struct Transform {
    std::string text;                 // output; meaningless if errors is non-empty
    std::set<int> labs_seen;          // every lab with a region in this file
    int regions_stubbed = 0;          // regions of the requested lab
    int regions_later_stubbed = 0;    // regions of later labs (stubbed too)
    int regions_kept = 0;             // regions of earlier labs (solution kept)
    std::vector<MarkerError> errors;
};

// Replaces the regions of `lab` and of every later lab with their stubs,
// and strips the markers of earlier labs' regions, keeping their solution
// lines: a lab's handout never holds a later lab's solution.
Transform transform_source(std::string_view text, int lab, CommentStyle style);

// Comment style for a file, chosen by its name (the last path component
// decides). `head` is the start of the file's contents: extensionless
// scripts starting with "#!" are scanned with Hash style. Returns nullopt for
// files that are never scanned and are copied verbatim.
std::optional<CommentStyle> style_for_path(std::string_view path,
                                           std::string_view head = {});

}  // namespace handout

#include "kern/memmap.hh"
#include "kern/console.hh"
#include "kern/frames.hh"
#include "kern/vga.hh"

namespace {

constexpr int grid_columns = 64;
constexpr int grid_rows = 16;              // with the legend, one VGA screen
constexpr char free_mark = '.', kernel_mark = '#';
constexpr char env_marks[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr size_t env_mark_count = sizeof env_marks - 1;
// VGA colours: free dark grey, kernel light grey, envs in turn.
constexpr uint8_t free_color = 0x08, kernel_color = 0x07;
constexpr uint8_t env_colors[] = {0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x09, 0x02, 0x03, 0x05, 0x06};

// Envs are lettered by slot, so one env keeps its letter while it lives.
char mark_of(int32_t owner) {
    if (owner == owner_free) return free_mark;
    if (owner == owner_kernel) return kernel_mark;
    return env_marks[env_index(owner) % env_mark_count];
}

uint8_t color_of(int32_t owner) {
    if (owner == owner_free) return free_color;
    if (owner == owner_kernel) return kernel_color;
    return env_colors[env_index(owner) % sizeof env_colors];
}

// A cell stands for several frames: it shows an env if it holds any
// env's frame (the first), else the kernel if any, else free, so that an
// env's few frames never vanish among the kernel's.
int32_t cell_owner(uint64_t first, uint64_t count) {
    int32_t shown = owner_free;
    for (uint64_t n = first; n < first + count && n < frame_table.count; ++n) {
        int32_t owner = frame_table.frames[n].owner;
        if (owner > 0) return owner;
        if (owner == owner_kernel) shown = owner_kernel;
    }
    return shown;
}

void show_grid() {
    uint64_t cells = uint64_t(grid_columns) * grid_rows;
    uint64_t per_cell = (frame_table.count + cells - 1) / cells;
    cprintf("physical memory: %lu frames (%lu MiB), %lu a cell: %c free, %c kernel, letters envs\n",
            frame_table.count, frame_table.count / 256, per_cell, free_mark, kernel_mark);
    for (uint64_t first = 0; first < frame_table.count; first += per_cell * grid_columns) {
        char text[grid_columns + 1];
        uint8_t colors[grid_columns];
        int n = 0;
        for (; n < grid_columns && first + n * per_cell < frame_table.count; ++n) {
            int32_t owner = cell_owner(first + n * per_cell, per_cell);
            text[n] = mark_of(owner);
            colors[n] = color_of(owner);
        }
        text[n] = '\0';
        cprintf("  %010lx %s\n", first * page_size, text);
        vga::color_previous_line(13, colors, n);
    }
}

// One pass over the frame table counts every owner (envs by slot).
void show_legend() {
    static uint32_t by_slot[max_envs];
    uint64_t free_frames = 0, kernel_frames = 0;
    for (uint32_t& n : by_slot) n = 0;
    for (uint64_t n = 0; n < frame_table.count; ++n) {
        int32_t owner = frame_table.frames[n].owner;
        if (owner == owner_free) ++free_frames;
        else if (owner == owner_kernel) ++kernel_frames;
        else if (owner > 0 && envs[env_index(owner)].id == owner) ++by_slot[env_index(owner)];
    }
    cprintf("legend: %c free %lu, %c kernel %lu", free_mark, free_frames, kernel_mark, kernel_frames);
    for (const Env& e : envs)
        if (e.alive()) cprintf(", %c env %08x %u", mark_of(e.id), e.id, by_slot[env_index(e.id)]);
    cprintf("\n");
}

// The user half's mappings, merged into runs of one permission.
void show_address_space(const Env& e) {
    cprintf("env %08x's address space (%c):\n", e.id, mark_of(e.id));
    uintptr_t run_start = 0, run_end = 0;
    uint64_t run_perm = 0;
    auto flush = [&] {
        if (run_end == run_start) return;
        cprintf("  %012lx-%012lx %c%c%c%s %lu page(s)\n", run_start, run_end, 'r',
                (run_perm & perm_writable) ? 'w' : '-', (run_perm & perm_no_execute) ? '-' : 'x',
                (run_perm & perm_cow) ? " cow" : (run_perm & perm_share) ? " share" : "",
                (run_end - run_start) / page_size);
    };
    constexpr uint64_t shown = perm_writable | perm_no_execute | perm_cow | perm_share;
    e.page_table().for_each_user_mapping([&](uintptr_t va, uint64_t entry) {
        uint64_t perm = entry & shown;
        if (va != run_end || perm != run_perm) {
            flush();
            run_start = va;
            run_perm = perm;
        }
        run_end = va + page_size;
    });
    flush();
}

}  // namespace

namespace memmap {

void show(const Env* env) {
    show_grid();
    show_legend();
    if (env) show_address_space(*env);
}

}  // namespace memmap

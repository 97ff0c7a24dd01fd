//! The `rembuk` binary: `rembuk serve`, `rembuk user add`.

/// mimalloc rather than the C library's allocator: a vote allocates and
/// frees many small buffers (HTTP, JSON, SQL rows), and glibc's `malloc`
/// and `free` were about a tenth of the server's time at saturation; with
/// mimalloc the same server sustains 15–20 % more votes a second (see
/// docs/benchmarks.md). musl's allocator, in the single-file Linux build,
/// is slower still.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    rembuk::cli::main().await
}

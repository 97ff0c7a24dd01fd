//! The `rembuk` binary: `rembuk serve`, `rembuk user add`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    rembuk::cli::main().await
}
